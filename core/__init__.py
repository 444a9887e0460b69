"""The small core every app stands on: tenancy, shared model fields, two-language texts, requests.

It imports nothing of the project. Apps above it: clinic, patients, protocols, documents, front.
"""
