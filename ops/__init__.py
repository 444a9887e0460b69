"""Setting up and carrying whole clinics: ``create_clinic``, the demo clinic, backup and restore.

Above the domain apps (it knows every one of them), beside the pages; nothing imports it.
"""
