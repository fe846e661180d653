-- stmt-accounts.sql
SET SESSION sql_log_bin = 0;
CREATE USER IF NOT EXISTS {{admin_user}}@'%' IDENTIFIED BY {{admin_password}};
GRANT ALL PRIVILEGES ON *.* TO {{admin_user}}@'%' WITH GRANT OPTION;
CREATE USER IF NOT EXISTS {{replication_user}}@'%' IDENTIFIED BY {{replication_password}} REQUIRE SSL;
GRANT REPLICATION SLAVE ON *.* TO {{replication_user}}@'%';
CREATE USER IF NOT EXISTS {{probe_user}}@'%' IDENTIFIED BY {{probe_password}};
GRANT SLAVE MONITOR ON *.* TO {{probe_user}}@'%';

-- stmt-change-source-here.sql
STOP SLAVE;
RESET SLAVE ALL;
SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_current_pos;
CHANGE MASTER TO MASTER_HOST={{source_host}}, MASTER_PORT={{source_port:int}}, MASTER_USER={{replication_user}}, MASTER_PASSWORD={{replication_password}}, MASTER_CONNECT_RETRY=10, MASTER_SSL=1, MASTER_SSL_CA={{source_ca}}, MASTER_SSL_VERIFY_SERVER_CERT=1, MASTER_USE_GTID=slave_pos;

-- stmt-change-source.sql
STOP SLAVE;
RESET SLAVE ALL;
SET GLOBAL gtid_slave_pos = {{gtid}};
CHANGE MASTER TO MASTER_HOST={{source_host}}, MASTER_PORT={{source_port:int}}, MASTER_USER={{replication_user}}, MASTER_PASSWORD={{replication_password}}, MASTER_CONNECT_RETRY=10, MASTER_SSL=1, MASTER_SSL_CA={{source_ca}}, MASTER_SSL_VERIFY_SERVER_CERT=1, MASTER_USE_GTID=slave_pos;

-- stmt-errant-gtid.sql
SELECT IFNULL(GROUP_CONCAT(m.g ORDER BY m.g SEPARATOR ','), '') FROM JSON_TABLE(CONCAT('["', REPLACE({{own_gtid}}, ',', '","'), '"]'), '$[*]' COLUMNS (g VARCHAR(64) PATH '$')) m WHERE m.g <> '' AND CAST(SUBSTRING_INDEX(m.g, '-', -1) AS UNSIGNED) > IFNULL((SELECT MAX(CAST(SUBSTRING_INDEX(s.g, '-', -1) AS UNSIGNED)) FROM JSON_TABLE(CONCAT('["', REPLACE({{source_gtid}}, ',', '","'), '"]'), '$[*]' COLUMNS (g VARCHAR(64) PATH '$')) s WHERE s.g <> '' AND SUBSTRING_INDEX(s.g, '-', 1) = SUBSTRING_INDEX(m.g, '-', 1)), 0);

-- stmt-executed-gtid.sql
SELECT @@GLOBAL.gtid_current_pos;

-- stmt-init-root-password.sql
SET SESSION sql_log_bin = 0;
ALTER USER IF EXISTS 'root'@'localhost' IDENTIFIED BY {{root_password}};
ALTER USER IF EXISTS 'root'@'%' IDENTIFIED BY {{root_password}};

-- stmt-make-writable.sql
SET GLOBAL read_only = OFF;

-- stmt-own-gtid.sql
SELECT @@GLOBAL.gtid_binlog_state;

-- stmt-read-only.sql
SELECT @@global.read_only;

-- stmt-replica-status.sql
SHOW SLAVE STATUS;

-- stmt-reset-passwords.sql
SET SESSION sql_log_bin = 0;
FLUSH PRIVILEGES;
ALTER USER IF EXISTS 'root'@'%' IDENTIFIED BY {{root_password}};
ALTER USER IF EXISTS 'root'@'localhost' IDENTIFIED BY {{root_password}};
ALTER USER IF EXISTS {{admin_user}}@'%' IDENTIFIED BY {{admin_password}};
ALTER USER IF EXISTS {{replication_user}}@'%' IDENTIFIED BY {{replication_password}};
ALTER USER IF EXISTS {{probe_user}}@'%' IDENTIFIED BY {{probe_password}};

-- stmt-restore-gtid.sql
RESET MASTER;
SET GLOBAL gtid_slave_pos = '';
SET GLOBAL gtid_binlog_state = {{gtid}};

-- stmt-restrict-root.sql
REVOKE READ_ONLY ADMIN ON *.* FROM 'root'@{{root_host}};

-- stmt-root-hosts.sql
SELECT Host FROM mysql.user WHERE User = 'root' AND (@@skip_name_resolve = 0 OR Host = 'localhost' OR Host REGEXP '^[0-9.:%_/]+$');

-- stmt-root-password.sql
SET SESSION sql_log_bin = 0;
ALTER USER IF EXISTS 'root'@'localhost' IDENTIFIED BY {{root_password}};
ALTER USER IF EXISTS 'root'@'%' IDENTIFIED BY {{root_password}};

-- stmt-semisync-source-on.sql
SET GLOBAL rpl_semi_sync_master_enabled = ON;

-- stmt-server-role.sql
SELECT @@server_id, @@global.read_only;

-- stmt-server-start.sql
SELECT UNIX_TIMESTAMP() - VARIABLE_VALUE, CONNECTION_ID() FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'UPTIME';

-- stmt-start-io-thread.sql
START SLAVE IO_THREAD;

-- stmt-start-replica.sql
START SLAVE;

-- stmt-stop-replica.sql
STOP SLAVE;

