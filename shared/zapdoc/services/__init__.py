"""Use cases: extract a batch locally, intake, extract, classify, assemble, sweep, fulfil payments."""
