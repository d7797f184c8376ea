"""Model fields kept encrypted at rest, and the re-encryption of what they stored.

A value is stored as a Fernet token (`cryptography`: AES-128-CBC under an HMAC-SHA256, with a
random IV and a timestamp) in a text column, written with the newest of `FIELD_ENCRYPTION_KEYS`
(`config.field_keys`) and read with whichever of them wrote it. A token that none of the keys
reads raises `UndecryptableValue`: it is never handed on as if it were the plaintext, nor
written back encrypted a second time.

The database sees only tokens, so it cannot compare, search or order these columns: the fields
refuse every lookup but `isnull`, so that a filter that could never match fails at once. What
needs to find a person by phone or e-mail uses the identifiers (`referral.PersonIdentifier`).

`rotate` re-encrypts the stored tokens with the newest key (`manage.py rotate_field_keys`);
`encrypt_plaintext` encrypts the values written before a column was encrypted (the data
migrations). Both go through a table by primary key, a batch a transaction, and write a value
only if it is still the one they read, so they can run beside the application and run again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

from config.field_keys import field_keys


class UndecryptableValue(Exception):
    """A stored value that none of FIELD_ENCRYPTION_KEYS reads: a key is missing or wrong."""


def _keys():
    return field_keys(settings.FIELD_ENCRYPTION_KEYS)


def encrypt(text: str) -> str:
    """`text` as a token of the newest key."""
    return _keys()[0].encrypt(text.encode()).decode()


def decrypt(token: str, *, where: str) -> str:
    """The text of a token written with any of the keys; `where` names the value in the error."""
    try:
        return _keys()[0].decrypt(token).decode()
    except InvalidToken:
        raise _undecryptable(where) from None


def _undecryptable(where: str) -> UndecryptableValue:
    return UndecryptableValue(
        f"{where} cannot be decrypted with any of FIELD_ENCRYPTION_KEYS "
        "(a key it was written with is missing, or the value is not encrypted)."
    )


class _Encrypted:
    """Mixed into a Django field: its value is encrypted when saved, decrypted when read."""

    def __init__(self, *args, **kwargs):
        for option in ("primary_key", "unique", "db_index"):
            if kwargs.get(option):
                raise ImproperlyConfigured(f"An encrypted field cannot have {option}=True.")
        super().__init__(*args, **kwargs)

    def get_internal_type(self) -> str:
        # A token is longer than its text: the column is text whatever the field's max_length.
        return "TextField"

    def get_db_prep_save(self, value, connection):
        value = super().get_db_prep_save(value, connection)
        if value is None or hasattr(value, "as_sql"):
            return value
        return encrypt(str(value))

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return decrypt(value, where=f"{self.model._meta.db_table}.{self.column}")

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"{self.model.__name__}.{self.name} is encrypted: the database cannot compare it "
            f"({lookup_name!r}). Compare in Python after reading it."
        )

    def get_transform(self, lookup_name):
        return None


class EncryptedCharField(_Encrypted, models.CharField):
    pass


class EncryptedEmailField(_Encrypted, models.EmailField):
    pass


class EncryptedTextField(_Encrypted, models.TextField):
    pass


def encrypted_fields(model: type[models.Model]) -> list[models.Field]:
    """The model's own encrypted columns (a parent's stay the parent's)."""
    return [f for f in model._meta.local_concrete_fields if isinstance(f, _Encrypted)]


def encrypted_models() -> list[type[models.Model]]:
    """Every installed model with an encrypted column."""
    return [m for m in apps.get_models() if encrypted_fields(m)]


@dataclass
class Rewritten:
    table: str
    rows: int = 0  # rows read
    values: int = 0  # values written anew


def _rewrite(model, change: Callable[[str, str], str | None], *, batch_size: int,
             using: str) -> Rewritten:
    """Each stored value of the model's encrypted columns through `change(token, where)`, which
    returns the value to write, or None to leave it. A value is written only if it still holds
    what was read: a concurrent save wins."""
    connection = connections[using]
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    columns = [f.column for f in encrypted_fields(model)]
    select = f"SELECT {pk}, {', '.join(quote(c) for c in columns)} FROM {table}"  # noqa: S608
    done = Rewritten(model._meta.db_table)
    last = None
    while True:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            after = "" if last is None else f" WHERE {pk} > %s"
            cursor.execute(f"{select}{after} ORDER BY {pk} LIMIT %s",
                           [*([] if last is None else [last]), batch_size])
            rows = cursor.fetchall()
            for key, *values in rows:
                changed = {}
                for column, value in zip(columns, values, strict=True):
                    if value is not None:
                        new = change(value, f"{model._meta.db_table}.{column} of row {key}")
                        if new is not None:
                            changed[column] = (value, new)
                if changed:
                    sets = ", ".join(f"{quote(c)} = %s" for c in changed)
                    same = " AND ".join(f"{quote(c)} = %s" for c in changed)
                    cursor.execute(
                        f"UPDATE {table} SET {sets} WHERE {pk} = %s AND {same}",  # noqa: S608
                        [*(new for _, new in changed.values()), key,
                         *(old for old, _ in changed.values())],
                    )
                    done.values += len(changed) if cursor.rowcount else 0
        done.rows += len(rows)
        if len(rows) < batch_size:
            return done
        last = rows[-1][0]


def rotate(model: type[models.Model], *, batch_size: int = 500,
           using: str = DEFAULT_DB_ALIAS) -> Rewritten:
    """Re-encrypt with the newest key every value of the model written with an older one.
    Raises UndecryptableValue, naming the row, at a value none of the keys reads (the batches
    before it are kept)."""
    every, newest = _keys()

    def change(token: str, where: str) -> str | None:
        try:
            newest.extract_timestamp(token)  # checks the token's signature under the newest key
            return None
        except InvalidToken:
            pass
        try:
            return every.rotate(token).decode()
        except InvalidToken:
            raise _undecryptable(where) from None

    return _rewrite(model, change, batch_size=batch_size, using=using)


def encrypt_plaintext(model: type[models.Model], *, batch_size: int = 500,
                      using: str = DEFAULT_DB_ALIAS) -> Rewritten:
    """Encrypt the values stored in plain text before the model's columns were encrypted; a
    value that is already a token of one of the keys is left as it is."""
    every, _ = _keys()

    def change(value: str, where: str) -> str | None:
        try:
            every.extract_timestamp(value)
            return None
        except InvalidToken:
            return encrypt(value)

    return _rewrite(model, change, batch_size=batch_size, using=using)
