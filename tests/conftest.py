"""Shared pytest configuration of the pure tests."""

pytest_plugins = ["conftest_dovecot", "conftest_odoo_process"]
