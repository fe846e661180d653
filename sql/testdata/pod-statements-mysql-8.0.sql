-- stmt-accounts.sql
SET SESSION sql_log_bin = 0;
CREATE USER IF NOT EXISTS {{admin_user}}@'%' IDENTIFIED BY {{admin_password}};
GRANT ALL PRIVILEGES ON *.* TO {{admin_user}}@'%' WITH GRANT OPTION;
CREATE USER IF NOT EXISTS {{replication_user}}@'%' IDENTIFIED BY {{replication_password}} REQUIRE SSL;
GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO {{replication_user}}@'%';
CREATE USER IF NOT EXISTS {{probe_user}}@'%' IDENTIFIED BY {{probe_password}};
GRANT REPLICATION CLIENT ON *.* TO {{probe_user}}@'%';

-- stmt-change-source-here.sql
STOP REPLICA;
RESET REPLICA ALL;
CHANGE REPLICATION SOURCE TO SOURCE_HOST={{source_host}}, SOURCE_PORT={{source_port:int}}, SOURCE_USER={{replication_user}}, SOURCE_PASSWORD={{replication_password}}, SOURCE_CONNECT_RETRY=10, SOURCE_SSL=1, SOURCE_SSL_CA={{source_ca}}, SOURCE_SSL_VERIFY_SERVER_CERT=1, SOURCE_RETRY_COUNT=4294967295, SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1;

-- stmt-change-source.sql
STOP REPLICA;
RESET REPLICA ALL;
CHANGE REPLICATION SOURCE TO SOURCE_HOST={{source_host}}, SOURCE_PORT={{source_port:int}}, SOURCE_USER={{replication_user}}, SOURCE_PASSWORD={{replication_password}}, SOURCE_CONNECT_RETRY=10, SOURCE_SSL=1, SOURCE_SSL_CA={{source_ca}}, SOURCE_SSL_VERIFY_SERVER_CERT=1, SOURCE_RETRY_COUNT=4294967295, SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1;

-- stmt-clone-local.sql
CLONE LOCAL DATA DIRECTORY = {{clone_dir}};

-- stmt-clone-status.sql
SELECT BINLOG_FILE, BINLOG_POSITION, REPLACE(GTID_EXECUTED, '\n', '') FROM performance_schema.clone_status WHERE STATE = 'Completed' ORDER BY ID DESC LIMIT 1;

-- stmt-clone.sql
SET GLOBAL clone_valid_donor_list = {{valid_donors}};
CLONE INSTANCE FROM {{admin_user}}@{{donor_host}}:{{donor_port:int}} IDENTIFIED BY {{admin_password}} DATA DIRECTORY = {{clone_dir}} REQUIRE SSL;

-- stmt-errant-gtid.sql
SELECT GTID_SUBTRACT({{own_gtid}}, {{source_gtid}});

-- stmt-executed-gtid.sql
SELECT @@GLOBAL.gtid_executed;

-- stmt-init-root-password.sql
SET SESSION sql_log_bin = 0;
ALTER USER IF EXISTS 'root'@'%' IDENTIFIED BY {{root_password}};

-- stmt-make-writable.sql
SET GLOBAL super_read_only = OFF;
SET GLOBAL read_only = OFF;

-- stmt-own-gtid.sql
SELECT @@GLOBAL.gtid_executed;

-- stmt-read-only.sql
SELECT @@global.read_only;

-- stmt-replica-status.sql
SHOW REPLICA STATUS;

-- stmt-reset-passwords.sql
SET SESSION sql_log_bin = 0;
FLUSH PRIVILEGES;
ALTER USER IF EXISTS 'root'@'%' IDENTIFIED BY {{root_password}};
ALTER USER IF EXISTS 'root'@'localhost' IDENTIFIED BY {{root_password}};
ALTER USER IF EXISTS {{admin_user}}@'%' IDENTIFIED BY {{admin_password}};
ALTER USER IF EXISTS {{replication_user}}@'%' IDENTIFIED BY {{replication_password}};
ALTER USER IF EXISTS {{probe_user}}@'%' IDENTIFIED BY {{probe_password}};

-- stmt-restore-forget-source.sql
STOP REPLICA;
RESET REPLICA ALL;

-- stmt-root-password.sql
SET SESSION sql_log_bin = 0;
ALTER USER IF EXISTS 'root'@'localhost' IDENTIFIED BY {{root_password}};
ALTER USER IF EXISTS 'root'@'%' IDENTIFIED BY {{root_password}};

-- stmt-server-role.sql
SELECT @@server_id, @@global.read_only;

-- stmt-server-start.sql
SELECT UNIX_TIMESTAMP() - VARIABLE_VALUE, CONNECTION_ID() FROM performance_schema.global_status WHERE VARIABLE_NAME = 'Uptime';

-- stmt-start-io-thread.sql
START REPLICA IO_THREAD;

-- stmt-start-replica.sql
START REPLICA;

-- stmt-stop-replica.sql
STOP REPLICA;

