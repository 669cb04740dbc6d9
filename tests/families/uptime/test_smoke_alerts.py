from tests.support.apigw import ApiClient


def test_create_then_get_alert(api: ApiClient, token: str) -> None:
    created = api.post("/v1/alerts", {"name": "ops", "strategy": "email", "email": "ops@example.com"}, token=token)
    assert created.status == 201, created.text
    alert_id = created.json()["id"]
    fetched = api.get(f"/v1/alerts/{alert_id}", token=token)
    assert fetched.status == 200
    assert fetched.json()["name"] == "ops"
    assert "email" not in fetched.json()
