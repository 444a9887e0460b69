"""The worker's tasks of this app (Huey's consumer imports every app's ``tasks`` module)."""

from messaging.services import deliver_message, queue_reminders_task, sweep_messages

__all__ = ["deliver_message", "queue_reminders_task", "sweep_messages"]
