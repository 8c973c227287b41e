"""Errors every program raises from its services, mapped once to pages and API answers."""


class Conflict(Exception):
    """The object is not in a state that allows the action (HTTP 409); the message says why."""
