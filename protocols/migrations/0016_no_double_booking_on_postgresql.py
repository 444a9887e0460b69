"""No double booking, enforced by PostgreSQL itself (R17).

Two live bookings (planned or done) of one therapist, or of one room, may not overlap in time:
exclusion constraints over ``tstzrange(starts_at, ends_at, '[)')`` (half-open, so 10:00–10:30
and 10:30–11:00 do not overlap), which need the ``btree_gist`` extension for the equality part.
``btree_gist`` is a trusted extension (PostgreSQL 13 and later): the database owner may create
it. SQLite has no such constraint; there the same check runs inside the booking's write
transaction (``protocols.booking``), which SQLite's IMMEDIATE transactions serialise.

``DEFERRABLE INITIALLY IMMEDIATE``: checked at the end of each statement rather than row by row,
so re-planning the rest of a course in one UPDATE may move session 3 into the time session 4 is
leaving (a non-deferrable constraint would refuse that halfway through the statement).
"""

from django.db import migrations

LIVE = "status IN ('planned', 'done') AND starts_at IS NOT NULL"

CONSTRAINTS = {
    "session_therapist_no_overlap": "therapist_id",
    "session_room_no_overlap": "room_id",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for name, column in CONSTRAINTS.items():
        schema_editor.execute(
            f"ALTER TABLE protocols_session ADD CONSTRAINT {name} EXCLUDE USING gist "
            f"({column} WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
            f"WHERE ({LIVE} AND {column} IS NOT NULL) DEFERRABLE INITIALLY IMMEDIATE"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in CONSTRAINTS:
        schema_editor.execute(f"ALTER TABLE protocols_session DROP CONSTRAINT IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("protocols", "0015_snapshot_format_2_buffer_and_session_therapists"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
