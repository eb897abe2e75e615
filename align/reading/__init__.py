"""Reading plans: files to text (ingest), cleaning, structure, segmentation, documents and the manifest."""
