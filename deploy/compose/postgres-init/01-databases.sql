-- DEV ONLY. Runs once, when the compose postgres volume is first initialised.
-- One role per database, as in Kubernetes (CloudNativePG managed roles), so that a service
-- reaching into another service's database fails here too. Passwords equal the role names:
-- they protect nothing and must never be reused outside docker compose.
CREATE ROLE bvs_auth LOGIN PASSWORD 'bvs_auth';
CREATE DATABASE bvs_auth OWNER bvs_auth;

CREATE ROLE bvs_wallet LOGIN PASSWORD 'bvs_wallet';
CREATE DATABASE bvs_wallet OWNER bvs_wallet;

CREATE ROLE bvs_billing LOGIN PASSWORD 'bvs_billing';
CREATE DATABASE bvs_billing OWNER bvs_billing;

CREATE ROLE bvs_provider_sim LOGIN PASSWORD 'bvs_provider_sim';
CREATE DATABASE bvs_provider_sim OWNER bvs_provider_sim;

CREATE ROLE bvs_registry LOGIN PASSWORD 'bvs_registry';
CREATE DATABASE bvs_registry OWNER bvs_registry;

-- PostgreSQL 15 no longer lets every role create objects in public, but CONNECT is still
-- granted to PUBLIC by default: take it away so each role reaches only its own database.
REVOKE CONNECT ON DATABASE bvs_auth, bvs_wallet, bvs_billing, bvs_provider_sim, bvs_registry FROM PUBLIC;
