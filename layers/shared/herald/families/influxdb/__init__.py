"""InfluxDB OSS v2 notification endpoints, labels and orgs (/api/v2/...)."""
