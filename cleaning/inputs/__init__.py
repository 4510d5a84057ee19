"""Reading inputs: files, folders and WARC archives into raw pages, bytes decoded to text."""
