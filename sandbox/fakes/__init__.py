"""Local fakes of the Salesforce, Marketo and Gong APIs, served from a sandbox data directory."""

from sandbox.fakes.faults import FaultConfig

__all__ = ["FaultConfig"]
