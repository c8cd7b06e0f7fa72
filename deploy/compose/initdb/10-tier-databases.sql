-- One governance database per tier, owned by the compose file's PostgreSQL user. Runs once, when
-- the data volume is first created (postgres image's /docker-entrypoint-initdb.d).
CREATE DATABASE ct_aws OWNER controltower;
CREATE DATABASE ct_azure OWNER controltower;
CREATE DATABASE ct_control OWNER controltower;
