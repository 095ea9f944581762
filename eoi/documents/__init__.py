"""Long documents prepared off the request: the panel pack and the programme report.

Asking for one finds a file already made from the same data (its fingerprint) and streams it
from storage, or queues one and says it is being prepared. The scheduler process prepares
what is queued (eoi.documents.operations.prepare_waiting), one at a time; the routes that
serve the files are the documents' own, permission-checked as before.
"""
