"""The worker's tasks of this app (Huey's consumer imports every app's ``tasks`` module)."""

from documents.jobs import render_job, sweep_jobs

__all__ = ["render_job", "sweep_jobs"]
