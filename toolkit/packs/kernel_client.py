"""A kernel client whose channels wait for each message in short slices (issue 18).

pyzmq's asyncio poll can miss the wake-up of a message that has already arrived: its
socket's file descriptor is edge-triggered, and a wake-up can be lost (pyzmq issue 1558).
The wait then lasts until the poll's own timeout; at that timeout pyzmq asks the socket
once more, finds the message, and the caller goes on as if nothing had happened. For a
cell's reply under nbclient that timeout is the whole cell timeout: in 2 of 9 full sample
batches in one session one pack's execution took 302 s instead of 2 s, with 2 s of
processor time, and the batch 374 s instead of about 90 s.

:class:`SlicedChannel` waits in slices of :data:`POLL_SLICE` seconds, each ended by
pyzmq's own check of the socket, so a missed wake-up costs at most one slice; a caller's
timeout keeps its meaning. The pack runner's kernels use :class:`SlicedKernelClient`
(:func:`toolkit.packs.runner.execute`), and so do the app's pages, by Voilà's setting
``AsyncKernelManager.client_class`` (:func:`toolkit.app.server.voila_config`).

Importing this module imports jupyter_client; the runner imports it only when it starts a
kernel, and the app names it by its dotted path.
"""

from __future__ import annotations

from queue import Empty
from time import monotonic

from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from traitlets import Type

#: Longest single wait, in seconds, for a kernel's message before the socket is asked again.
POLL_SLICE = 0.5


class SlicedChannel(AsyncZMQSocketChannel):
    """An asyncio kernel channel whose ``get_msg`` waits at most a slice at a time."""

    async def get_msg(self, timeout: float | None = None) -> dict:
        """Return the next message, waiting up to ``timeout`` seconds (None: no limit).

        Parameters
        ----------
        timeout : float, optional
            The longest wait in all; each poll of the socket lasts at most
            :data:`POLL_SLICE` of it.

        Returns
        -------
        dict
            The message, deserialised.

        Raises
        ------
        queue.Empty
            When no message came within ``timeout``.
        """
        deadline = None if timeout is None else monotonic() + timeout
        while True:
            left = POLL_SLICE if deadline is None else deadline - monotonic()
            wait = max(0.0, min(POLL_SLICE, left))
            if await self.socket.poll(int(wait * 1000)):
                return await self._recv()
            if deadline is not None and monotonic() >= deadline:
                raise Empty


class SlicedKernelClient(AsyncKernelClient):
    """An async kernel client whose shell, iopub and control channels wait in slices."""

    shell_channel_class = Type(SlicedChannel)
    iopub_channel_class = Type(SlicedChannel)
    control_channel_class = Type(SlicedChannel)
