"""Channel adapters: each turns a rendered notification into one provider request and reads the answer."""
