"""The Finago Office / 24SevenOffice REST API v1 dialect: one module per resource."""
