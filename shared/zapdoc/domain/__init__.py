"""Domain model: field specs, templates, documents and results, errors. No I/O, no SDKs."""
