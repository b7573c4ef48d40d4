"""One dynamic partition per document, keyed by its path under raw/.

A path is what the data team sees in the UI; the bytes behind it decide what is
done: a changed file at the same path is extracted again (new sha256), and the
same bytes under two paths are one document in the warehouse.
"""

from dagster import DynamicPartitionsDefinition

documents = DynamicPartitionsDefinition(name="documents")
