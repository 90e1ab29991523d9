"""Resolve: a checked study and a style into one laid-out Document (``resolve.document``)."""

# The item types of the resolved document (``resolve.document.Item``), named here so that the
# formats registry (``writers``) can name them without importing the document model: a build
# starts its writers' workers before it imports that model (``build.pool.prestart``).
ITEM_TYPES = ("ParticipantTable", "ThemeTable", "DataTable", "TextSection")
