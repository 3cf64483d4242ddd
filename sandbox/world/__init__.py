"""The sandbox world: a simulated THE MODEL company and the KPI truth it implies."""

from sandbox.world.generate import generate, is_current

__all__ = ["generate", "is_current"]
