"""What several writers share: the book's HTML fragments (`fragments`), the one pandoc document
(`document`), templates over the styles folder (`templates`), the link checker (`linkcheck`),
the XML/HTML parsers (`xml`) and the image policy (`media`). Writers import this layer, the
model and their own package, nothing else of the pipeline's."""
