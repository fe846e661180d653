package sql

// Recorded result rows, one per flavour, written like the mysql client's \G
// output. Column names and order follow the servers' reference pages:
//
//   - MySQL 5.7: SHOW SLAVE STATUS, MySQL 5.7 Reference Manual 13.7.5.34
//     https://dev.mysql.com/doc/refman/5.7/en/show-slave-status.html
//   - MySQL 8.0 before 8.0.22: SHOW SLAVE STATUS, old names plus the 8.0
//     columns Master_public_key_path, Get_master_public_key, Network_Namespace
//     https://dev.mysql.com/doc/refman/8.0/en/show-replica-status.html
//   - MySQL 8.0.22+: SHOW REPLICA STATUS, new names, same page
//   - MySQL 8.4: SHOW REPLICA STATUS, MySQL 8.4 Reference Manual 15.7.7.35
//     https://dev.mysql.com/doc/refman/8.4/en/show-replica-status.html
//   - MariaDB 10.11: recorded from Debian's mariadbd 10.11.19 (SHOW SLAVE STATUS\G)
//   - MariaDB 11.x: the 10.11 set plus the columns the MariaDB knowledge base
//     lists as added in 11.6 (Master_last_event_time, Slave_last_event_time,
//     Master_Slave_time_diff), https://mariadb.com/kb/en/show-replica-status/
//   - SHOW MASTER STATUS / SHOW BINARY LOG STATUS: File, Position,
//     Binlog_Do_DB, Binlog_Ignore_DB, Executed_Gtid_Set (MySQL only),
//     https://dev.mysql.com/doc/refman/8.4/en/show-binary-log-status.html
//
// Values are invented but shaped like real ones. A literal \n is a newline
// inside a value, as MySQL prints long GTID sets.

const (
	uuidPrimary = "3e11fa47-71ca-11e1-9e33-c80aa9429562"
	uuidReplica = "5b1e9a1c-2f3d-11ef-8a4b-0242ac120003"
)

// MySQL 5.7, legacy file/position replica whose applier stopped on a
// duplicate key.
const mysql57SlaveStatus = `
               Slave_IO_State: Waiting for master to send event
                  Master_Host: mysql-0.mysql
                  Master_User: repl
                  Master_Port: 3306
                Connect_Retry: 10
              Master_Log_File: mysql-0-bin.000002
          Read_Master_Log_Pos: 9123
               Relay_Log_File: mysql-1-relay-bin.000004
                Relay_Log_Pos: 320
        Relay_Master_Log_File: mysql-0-bin.000002
             Slave_IO_Running: Yes
            Slave_SQL_Running: No
              Replicate_Do_DB:
          Replicate_Ignore_DB:
           Replicate_Do_Table:
       Replicate_Ignore_Table:
      Replicate_Wild_Do_Table:
  Replicate_Wild_Ignore_Table:
                   Last_Errno: 1062
                   Last_Error: Could not execute Write_rows event on table app.t; Duplicate entry '7' for key 'PRIMARY', Error_code: 1062; handler error HA_ERR_FOUND_DUPP_KEY; the event's master log mysql-0-bin.000002, end_log_pos 8800
                 Skip_Counter: 0
          Exec_Master_Log_Pos: 8500
              Relay_Log_Space: 1200
              Until_Condition: None
               Until_Log_File:
                Until_Log_Pos: 0
           Master_SSL_Allowed: No
           Master_SSL_CA_File:
           Master_SSL_CA_Path:
              Master_SSL_Cert:
            Master_SSL_Cipher:
               Master_SSL_Key:
        Seconds_Behind_Master: NULL
Master_SSL_Verify_Server_Cert: No
                Last_IO_Errno: 0
                Last_IO_Error:
               Last_SQL_Errno: 1062
               Last_SQL_Error: Could not execute Write_rows event on table app.t; Duplicate entry '7' for key 'PRIMARY', Error_code: 1062; handler error HA_ERR_FOUND_DUPP_KEY; the event's master log mysql-0-bin.000002, end_log_pos 8800
  Replicate_Ignore_Server_Ids:
             Master_Server_Id: 100
                  Master_UUID: 3e11fa47-71ca-11e1-9e33-c80aa9429562
             Master_Info_File: /var/lib/mysql/master.info
                    SQL_Delay: 0
          SQL_Remaining_Delay: NULL
      Slave_SQL_Running_State:
           Master_Retry_Count: 86400
                  Master_Bind:
      Last_IO_Error_Timestamp:
     Last_SQL_Error_Timestamp: 240315 10:01:02
               Master_SSL_Crl:
           Master_SSL_Crlpath:
           Retrieved_Gtid_Set:
            Executed_Gtid_Set:
                Auto_Position: 0
         Replicate_Rewrite_DB:
                 Channel_Name:
           Master_TLS_Version:
`

// MySQL 8.0.21 (before SHOW REPLICA STATUS): GTID replica whose receiver
// cannot reach the source.
const mysql80SlaveStatus = `
               Slave_IO_State: Connecting to master
                  Master_Host: mysql-0.mysql.db.svc.cluster.local
                  Master_User: repl
                  Master_Port: 3306
                Connect_Retry: 60
              Master_Log_File: mysql-bin.000001
          Read_Master_Log_Pos: 1500
               Relay_Log_File: mysql-2-relay-bin.000002
                Relay_Log_Pos: 1700
        Relay_Master_Log_File: mysql-bin.000001
             Slave_IO_Running: Connecting
            Slave_SQL_Running: Yes
              Replicate_Do_DB:
          Replicate_Ignore_DB:
           Replicate_Do_Table:
       Replicate_Ignore_Table:
      Replicate_Wild_Do_Table:
  Replicate_Wild_Ignore_Table:
                   Last_Errno: 0
                   Last_Error:
                 Skip_Counter: 0
          Exec_Master_Log_Pos: 1500
              Relay_Log_Space: 1900
              Until_Condition: None
               Until_Log_File:
                Until_Log_Pos: 0
           Master_SSL_Allowed: No
           Master_SSL_CA_File:
           Master_SSL_CA_Path:
              Master_SSL_Cert:
            Master_SSL_Cipher:
               Master_SSL_Key:
        Seconds_Behind_Master: NULL
Master_SSL_Verify_Server_Cert: No
                Last_IO_Errno: 2003
                Last_IO_Error: error connecting to master 'repl@mysql-0.mysql.db.svc.cluster.local:3306' - retry-time: 60 retries: 3 message: Can't connect to MySQL server on 'mysql-0.mysql.db.svc.cluster.local:3306' (111)
               Last_SQL_Errno: 0
               Last_SQL_Error:
  Replicate_Ignore_Server_Ids:
             Master_Server_Id: 100
                  Master_UUID: 3e11fa47-71ca-11e1-9e33-c80aa9429562
             Master_Info_File: mysql.slave_master_info
                    SQL_Delay: 0
          SQL_Remaining_Delay: NULL
      Slave_SQL_Running_State: Slave has read all relay log; waiting for more updates
           Master_Retry_Count: 86400
                  Master_Bind:
      Last_IO_Error_Timestamp: 240316 08:00:00
     Last_SQL_Error_Timestamp:
               Master_SSL_Crl:
           Master_SSL_Crlpath:
           Retrieved_Gtid_Set: 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-7
            Executed_Gtid_Set: 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-7
                Auto_Position: 1
         Replicate_Rewrite_DB:
                 Channel_Name:
           Master_TLS_Version:
       Master_public_key_path:
        Get_master_public_key: 1
            Network_Namespace:
`

// MySQL 8.0.22+ SHOW REPLICA STATUS: healthy GTID replica, 3 s behind, with
// a multi-line Executed_Gtid_Set.
const mysql80ReplicaStatus = `
             Replica_IO_State: Waiting for source to send event
                  Source_Host: mysql-0.mysql
                  Source_User: repl
                  Source_Port: 3306
                Connect_Retry: 60
              Source_Log_File: mysql-bin.000003
          Read_Source_Log_Pos: 5120
               Relay_Log_File: mysql-1-relay-bin.000002
                Relay_Log_Pos: 5300
        Relay_Source_Log_File: mysql-bin.000003
           Replica_IO_Running: Yes
          Replica_SQL_Running: Yes
              Replicate_Do_DB:
          Replicate_Ignore_DB:
           Replicate_Do_Table:
       Replicate_Ignore_Table:
      Replicate_Wild_Do_Table:
  Replicate_Wild_Ignore_Table:
                   Last_Errno: 0
                   Last_Error:
                 Skip_Counter: 0
          Exec_Source_Log_Pos: 4900
              Relay_Log_Space: 5600
              Until_Condition: None
               Until_Log_File:
                Until_Log_Pos: 0
           Source_SSL_Allowed: No
           Source_SSL_CA_File:
           Source_SSL_CA_Path:
              Source_SSL_Cert:
            Source_SSL_Cipher:
               Source_SSL_Key:
        Seconds_Behind_Source: 3
Source_SSL_Verify_Server_Cert: No
                Last_IO_Errno: 0
                Last_IO_Error:
               Last_SQL_Errno: 0
               Last_SQL_Error:
  Replicate_Ignore_Server_Ids:
             Source_Server_Id: 100
                  Source_UUID: 3e11fa47-71ca-11e1-9e33-c80aa9429562
             Source_Info_File: mysql.slave_master_info
                    SQL_Delay: 0
          SQL_Remaining_Delay: NULL
    Replica_SQL_Running_State: Waiting for dependent transaction to commit
           Source_Retry_Count: 86400
                  Source_Bind:
      Last_IO_Error_Timestamp:
     Last_SQL_Error_Timestamp:
               Source_SSL_Crl:
           Source_SSL_Crlpath:
           Retrieved_Gtid_Set: 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-42
            Executed_Gtid_Set: 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-40,\n5b1e9a1c-2f3d-11ef-8a4b-0242ac120003:1-2
                Auto_Position: 1
         Replicate_Rewrite_DB:
                 Channel_Name:
           Source_TLS_Version:
       Source_public_key_path:
        Get_Source_public_key: 1
            Network_Namespace:
`

// MySQL 8.4 SHOW REPLICA STATUS: a delayed replica, caught up to its delay
// (lag 0 is a real 0 here: both threads run).
const mysql84ReplicaStatus = `
             Replica_IO_State: Waiting for source to send event
                  Source_Host: 10.244.0.12
                  Source_User: repl
                  Source_Port: 3306
                Connect_Retry: 60
              Source_Log_File: binlog.000007
          Read_Source_Log_Pos: 197
               Relay_Log_File: relay.000003
                Relay_Log_Pos: 367
        Relay_Source_Log_File: binlog.000007
           Replica_IO_Running: Yes
          Replica_SQL_Running: Yes
              Replicate_Do_DB:
          Replicate_Ignore_DB:
           Replicate_Do_Table:
       Replicate_Ignore_Table:
      Replicate_Wild_Do_Table:
  Replicate_Wild_Ignore_Table:
                   Last_Errno: 0
                   Last_Error:
                 Skip_Counter: 0
          Exec_Source_Log_Pos: 197
              Relay_Log_Space: 740
              Until_Condition: None
               Until_Log_File:
                Until_Log_Pos: 0
           Source_SSL_Allowed: No
           Source_SSL_CA_File:
           Source_SSL_CA_Path:
              Source_SSL_Cert:
            Source_SSL_Cipher:
               Source_SSL_Key:
        Seconds_Behind_Source: 0
Source_SSL_Verify_Server_Cert: No
                Last_IO_Errno: 0
                Last_IO_Error:
               Last_SQL_Errno: 0
               Last_SQL_Error:
  Replicate_Ignore_Server_Ids:
             Source_Server_Id: 1
                  Source_UUID: 3e11fa47-71ca-11e1-9e33-c80aa9429562
             Source_Info_File: mysql.slave_master_info
                    SQL_Delay: 3600
          SQL_Remaining_Delay: NULL
    Replica_SQL_Running_State: Replica has read all relay log; waiting for more updates
           Source_Retry_Count: 10
                  Source_Bind:
      Last_IO_Error_Timestamp:
     Last_SQL_Error_Timestamp:
               Source_SSL_Crl:
           Source_SSL_Crlpath:
           Retrieved_Gtid_Set: 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-9:audit:1-2
            Executed_Gtid_Set: 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-9:audit:1-2
                Auto_Position: 1
         Replicate_Rewrite_DB:
                 Channel_Name:
           Source_TLS_Version:
       Source_public_key_path:
        Get_Source_public_key: 1
            Network_Namespace:
`

// mariadb1011SlaveStatus was recorded from MariaDB 10.11.19 (its column set
// verbatim); the SQL thread is stopped by STOP SLAVE SQL_THREAD.
const mariadb1011SlaveStatus = `
                Slave_IO_State: Waiting for master to send event
                   Master_Host: mariadb-0.mariadb
                   Master_User: repl
                   Master_Port: 3306
                 Connect_Retry: 60
               Master_Log_File: mysql-bin.000001
           Read_Master_Log_Pos: 2210
                Relay_Log_File: mariadb-1-relay-bin.000002
                 Relay_Log_Pos: 2509
         Relay_Master_Log_File: mysql-bin.000001
              Slave_IO_Running: Yes
             Slave_SQL_Running: No
               Replicate_Do_DB:
           Replicate_Ignore_DB:
            Replicate_Do_Table:
        Replicate_Ignore_Table:
       Replicate_Wild_Do_Table:
   Replicate_Wild_Ignore_Table:
                    Last_Errno: 0
                    Last_Error:
                  Skip_Counter: 0
           Exec_Master_Log_Pos: 2210
               Relay_Log_Space: 2823
               Until_Condition: None
                Until_Log_File:
                 Until_Log_Pos: 0
            Master_SSL_Allowed: No
            Master_SSL_CA_File:
            Master_SSL_CA_Path:
               Master_SSL_Cert:
             Master_SSL_Cipher:
                Master_SSL_Key:
         Seconds_Behind_Master: NULL
 Master_SSL_Verify_Server_Cert: No
                 Last_IO_Errno: 0
                 Last_IO_Error:
                Last_SQL_Errno: 0
                Last_SQL_Error:
   Replicate_Ignore_Server_Ids:
              Master_Server_Id: 1
                Master_SSL_Crl:
            Master_SSL_Crlpath:
                    Using_Gtid: Slave_Pos
                   Gtid_IO_Pos: 0-1-12
       Replicate_Do_Domain_Ids:
   Replicate_Ignore_Domain_Ids:
                 Parallel_Mode: optimistic
                     SQL_Delay: 0
           SQL_Remaining_Delay: NULL
       Slave_SQL_Running_State:
              Slave_DDL_Groups: 4
Slave_Non_Transactional_Groups: 1
    Slave_Transactional_Groups: 7
          Replicate_Rewrite_DB:
`

// MariaDB 11.x: a replica broken by a duplicate key, with the 11.6 columns.
const mariadb11SlaveStatus = `
                Slave_IO_State: Waiting for master to send event
                   Master_Host: mariadb-0.mariadb.db.svc.cluster.local
                   Master_User: repl
                   Master_Port: 3306
                 Connect_Retry: 60
               Master_Log_File: mariadb-bin.000002
           Read_Master_Log_Pos: 4400
                Relay_Log_File: mariadb-2-relay-bin.000003
                 Relay_Log_Pos: 900
         Relay_Master_Log_File: mariadb-bin.000002
              Slave_IO_Running: Yes
             Slave_SQL_Running: No
               Replicate_Do_DB:
           Replicate_Ignore_DB:
            Replicate_Do_Table:
        Replicate_Ignore_Table:
       Replicate_Wild_Do_Table:
   Replicate_Wild_Ignore_Table:
                    Last_Errno: 1062
                    Last_Error: Could not execute Write_rows_v1 event on table app.t; Duplicate entry '7' for key 'PRIMARY', Error_code: 1062; handler error HA_ERR_FOUND_DUPP_KEY; the event's master log mariadb-bin.000002, end_log_pos 4380
                  Skip_Counter: 0
           Exec_Master_Log_Pos: 4100
               Relay_Log_Space: 1500
               Until_Condition: None
                Until_Log_File:
                 Until_Log_Pos: 0
            Master_SSL_Allowed: Yes
            Master_SSL_CA_File:
            Master_SSL_CA_Path:
               Master_SSL_Cert:
             Master_SSL_Cipher:
                Master_SSL_Key:
         Seconds_Behind_Master: NULL
 Master_SSL_Verify_Server_Cert: Yes
                 Last_IO_Errno: 0
                 Last_IO_Error:
                Last_SQL_Errno: 1062
                Last_SQL_Error: Could not execute Write_rows_v1 event on table app.t; Duplicate entry '7' for key 'PRIMARY', Error_code: 1062; handler error HA_ERR_FOUND_DUPP_KEY; the event's master log mariadb-bin.000002, end_log_pos 4380
   Replicate_Ignore_Server_Ids:
              Master_Server_Id: 1
                Master_SSL_Crl:
            Master_SSL_Crlpath:
                    Using_Gtid: Current_Pos
                   Gtid_IO_Pos: 0-1-30
       Replicate_Do_Domain_Ids:
   Replicate_Ignore_Domain_Ids:
                 Parallel_Mode: optimistic
                     SQL_Delay: 0
           SQL_Remaining_Delay: NULL
       Slave_SQL_Running_State:
              Slave_DDL_Groups: 2
Slave_Non_Transactional_Groups: 0
    Slave_Transactional_Groups: 28
          Replicate_Rewrite_DB:
        Master_last_event_time: 2024-06-01 10:00:00
         Slave_last_event_time: 2024-06-01 09:59:58
        Master_Slave_time_diff: 2
`

// Identity rows: the columns IdentityQuery selects under its aliases.
const mysql84Identity = `
      server_id: 2
    server_uuid: 5b1e9a1c-2f3d-11ef-8a4b-0242ac120003
        version: 8.4.3
version_comment: MySQL Community Server - GPL
      read_only: 1
super_read_only: 1
        log_bin: 1
    report_host: mysql-1.mysql
    report_port: 3306
       hostname: mysql-1
           port: 3306
      gtid_mode: ON
  gtid_executed: 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-40,\n5b1e9a1c-2f3d-11ef-8a4b-0242ac120003:1-2
    gtid_purged: 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5
`

const mysql57Identity = `
      server_id: 100
    server_uuid: 3e11fa47-71ca-11e1-9e33-c80aa9429562
        version: 5.7.44-log
version_comment: MySQL Community Server (GPL)
      read_only: 0
super_read_only: 0
        log_bin: 1
    report_host: NULL
    report_port: 3306
       hostname: mysql-0
           port: 3306
      gtid_mode: OFF
  gtid_executed:
    gtid_purged:
`

const mariadbIdentity = `
        server_id: 2
          version: 10.11.19-MariaDB-0+deb12u1-log
  version_comment: Debian 12
        read_only: 1
          log_bin: 1
      report_host: mariadb-1.mariadb
      report_port: 0
         hostname: mariadb-1
             port: 3306
  gtid_binlog_pos: 0-1-12
gtid_binlog_state: 0-2-3,0-1-12
 gtid_current_pos: 0-1-12
   gtid_slave_pos: 0-1-12
 gtid_strict_mode: 1
   gtid_domain_id: 0
`

const mysqlBinlogStatus = `
             File: binlog.000007
         Position: 197
     Binlog_Do_DB:
 Binlog_Ignore_DB:
Executed_Gtid_Set: 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-40,\n5b1e9a1c-2f3d-11ef-8a4b-0242ac120003:1-2
`

const mariadbBinlogStatus = `
            File: mysql-bin.000001
        Position: 2210
    Binlog_Do_DB:
Binlog_Ignore_DB:
`
