"""Keep It Local evidence toolkit.

Shows, with its workings, how much of the money paid to a community anchor organisation
stays and circulates in a local economy (nef's LM3), with local jobs and pay, social
value, financial resilience, council spending analysis and commissioning options.
"""

__version__ = "0.1.0"
