"""Fixtures shared by the membership and billing tests."""

from lindung.membership.tests.factories import programme  # noqa: F401
