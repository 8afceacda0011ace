"""Untrusted input: type sniffing, safe zip unpacking, bounded PDF parsing."""
