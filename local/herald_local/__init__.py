"""Herald's Docker-free local stack: moto's server, the resources of template.yaml, the HTTP API and the
stream, queue and schedule pollers that drive the functions the way Lambda's event sources do."""
