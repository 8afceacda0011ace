"""The offline extractor and classifier: labels in EN/FR/DE plus patterns, no network."""
