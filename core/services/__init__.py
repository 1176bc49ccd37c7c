"""The write paths: entry, review, attendance, appraisal, publicity, objections.

Each service validates, writes in one ``Store.write`` transaction, and appends an audit
row in that same transaction, so a refused request leaves nothing behind.
"""
