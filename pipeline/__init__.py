"""The OCR pipeline an RQ worker runs for one task: detect -> pages -> ocr -> metadata
-> categorize -> output."""
