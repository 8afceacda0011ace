"""Ports: the narrow interfaces services depend on. Adapters implement them; fakes do in unit tests."""
