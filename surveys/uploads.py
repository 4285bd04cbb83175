"""A cap on how much of an uploaded file is kept while the request is read.

Django does not limit file fields: DATA_UPLOAD_MAX_MEMORY_SIZE counts only the
other fields, and a file larger than FILE_UPLOAD_MAX_MEMORY_SIZE is streamed to
a temporary file whatever its size. So a 2 GB upload would fill the disk before
any form could refuse it. This handler, first in FILE_UPLOAD_HANDLERS, passes a
file's chunks on to the storing handlers until the file is past the cap, then
drops the rest. The stored part is still larger than every upload form's limit,
so the form refuses it with its usual message ("The file is larger than ...").
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler

from surveys.services.versions import MAX_YAML_BYTES


def upload_cap() -> int:
    """Bytes kept of one uploaded file: at least the largest limit an upload form applies."""
    return max(
        MAX_YAML_BYTES,
        getattr(settings, "WORKBOOK_UPLOAD_MAX_BYTES", 0) or 0,
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0,
    )


class CappedUploadHandler(FileUploadHandler):
    """Stops passing a file's data on once more than `upload_cap()` bytes have arrived."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.passed = 0
        self.cap = upload_cap()

    def receive_data_chunk(self, raw_data, start):
        if self.passed > self.cap:
            return None  # dropped: the handlers after this one never see it
        self.passed += len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return None  # the storing handler after this one makes the file
