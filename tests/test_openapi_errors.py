"""The OpenAPI document declares the error answers each operation can give (schemathesis's
status_code_conformance holds them to it in `make fuzz`)."""


from config.rest import BODY_ERROR_STATUSES, ERROR_STATUSES


def _operations(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def test_every_operation_declares_its_errors_in_the_one_shape(document):
    assert document["components"]["schemas"]["Error"]["required"] == ["error"]
    operations = list(_operations(document))
    assert len(operations) > 30
    for path, method, operation in operations:
        expected = set(ERROR_STATUSES) | (set(BODY_ERROR_STATUSES) if method != "get" else set())
        assert expected <= set(operation["responses"]), (method, path)
        for status in expected:
            content = operation["responses"][status]["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/Error"}, (method, path)


def test_an_operations_own_answers_are_kept(document):
    token = document["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert "200" in token and "400" in token
