"""The kernel channels of the runner and the app wait for a message in short slices (issue 18).

pyzmq's asyncio poll can miss the wake-up of a message that has already arrived; the wait
then lasts until its timeout, which for a cell's reply is the whole ``--timeout`` (300 s):
a full sample batch took 374 s instead of about 90 s, one pack's execution 302 s with 2 s
of processor time, and no pack failed. These tests play such a socket: its poll ends only
at its own timeout, and then says the message was there all along.
"""

from __future__ import annotations

import asyncio
from queue import Empty

import pytest

from toolkit.packs import kernel_client
from toolkit.packs import runner as packs_runner


class MissedWakeups:
    """A stand-in socket whose poll ends only at its timeout, as when a wake-up is missed."""

    def __init__(self, message_after_polls: int | None) -> None:
        self.asked_ms: list[int] = []
        self.message_after_polls = message_after_polls

    async def poll(self, timeout_ms: int | None) -> int:
        assert timeout_ms is not None, "a wait without an end never sees a missed wake-up end"
        self.asked_ms.append(timeout_ms)
        await asyncio.sleep(0)  # the wake-up is missed: only the poll's own end returns
        if self.message_after_polls is None:
            return 0
        return int(len(self.asked_ms) >= self.message_after_polls)


def sliced_channel(socket: MissedWakeups):
    """A runner channel on the stand-in socket (no kernel, no ZMQ)."""
    channel = object.__new__(kernel_client.SlicedChannel)
    channel.socket = socket

    async def received() -> dict:
        return {"msg_type": "execute_reply"}

    channel._recv = received
    return channel


def test_a_missed_wake_up_costs_one_slice_not_the_cells_whole_timeout():
    socket = MissedWakeups(message_after_polls=1)
    message = asyncio.run(sliced_channel(socket).get_msg(timeout=300))
    assert message == {"msg_type": "execute_reply"}
    # one poll, asked for a slice: pyzmq's check at the slice's end finds the message
    assert socket.asked_ms == [int(kernel_client.POLL_SLICE * 1000)]
    assert kernel_client.POLL_SLICE <= 1


def test_a_wait_with_no_timeout_is_still_sliced():
    socket = MissedWakeups(message_after_polls=3)
    asyncio.run(sliced_channel(socket).get_msg(timeout=None))
    assert socket.asked_ms == [int(kernel_client.POLL_SLICE * 1000)] * 3


def test_the_cells_timeout_still_ends_the_wait_when_no_message_comes(monkeypatch):
    clock = iter(range(0, 10_000)).__next__  # each reading of the clock is a second later
    monkeypatch.setattr(kernel_client, "monotonic", lambda: float(clock()))
    socket = MissedWakeups(message_after_polls=None)
    with pytest.raises(Empty):
        asyncio.run(sliced_channel(socket).get_msg(timeout=5))
    assert socket.asked_ms, "it asked the socket before giving up"
    assert max(socket.asked_ms) <= kernel_client.POLL_SLICE * 1000
    assert len(socket.asked_ms) < 10, "it gave up at the deadline, not later"


def test_the_runners_kernel_clients_use_the_sliced_channel():
    manager = packs_runner._kernel_manager_class()(kernel_name="python3")
    client = manager.client()
    sliced = kernel_client.SlicedChannel
    assert client.shell_channel_class is sliced
    assert client.iopub_channel_class is sliced
    assert client.control_channel_class is sliced
    assert manager.clients == [client]


def test_the_apps_pages_use_the_sliced_client_too():
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

    from toolkit.app.server import ServerOptions, voila_config

    config = voila_config(ServerOptions(preheated_kernels=0))
    pages = AsyncMappingKernelManager(config=config)
    page_kernel = pages.kernel_manager_factory(parent=pages)
    assert page_kernel.client_factory is kernel_client.SlicedKernelClient
