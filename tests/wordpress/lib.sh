# shellcheck shell=bash
# Shared by wp-up and wp-down (sourced, not run). Expects HERE, STATE, log() and die().
#
# Processes are identified by what we recorded, never by name: each daemon is started with
# `setsid`, so it leads its own process group (pgid == the recorded pid), and its command line
# carries $STATE, which tells our group from an unrelated one that reused the number.

WP_ROOT=/usr/share/wordpress
# The admin account (install.php and populate.php use the same login). The login password is
# refused by the REST API over HTTP Basic: clients use the application password install.php makes.
WP_USER=sala
WP_PASSWORD=sala-login-password
# Only reachable through the socket in $STATE (--skip-networking).
DB_NAME=wordpress
DB_USER=wordpress
DB_PASSWORD=wordpress

prepare_state_dir() {
  [[ $STATE == /* ]] || die "state dir must be an absolute path: $STATE"
  STATE=${STATE%/}
  [[ -n $STATE && $STATE != /tmp && $STATE != /root ]] || die "refusing state dir '$STATE/'"
  # A unix socket path must fit in 108 bytes.
  ((${#STATE} <= 80)) || die "state dir path too long for MariaDB's unix socket: $STATE"
  if [[ -d $STATE && ! -e $STATE/.wparchive-wp-state && -n $(ls -A "$STATE") ]]; then
    die "$STATE exists, is not empty and was not made by wp-up; refusing to touch it"
  fi
  mkdir -p "$STATE"
  touch "$STATE/.wparchive-wp-state"
  # Debian's wp-config.php picks /etc/wordpress/config-NAME.php by $_SERVER['WORDPRESS_CONFIG']
  # (letters, digits, dashes); one name per state dir lets several sites coexist.
  CONFIG_NAME=wparchive-$(printf '%s' "$STATE" | md5sum | cut -c1-12)
  CONFIG_FILE=/etc/wordpress/config-$CONFIG_NAME.php
  SOCKET=$STATE/run/mysqld.sock
}

# Set PROC_STATE and PROC_PGRP from /proc/PID/stat (builtins only: this runs for every process
# on the machine while we wait, so no forks). Fails when there is no such process.
proc_stat() {
  local stat fields
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
  read -r -a fields <<<"${stat##*) }"   # the command name, in parentheses, may contain spaces
  PROC_STATE=${fields[0]}
  PROC_PGRP=${fields[2]}
}

# Does process $1's command line mention $STATE (ours, not a stranger that reused the number)?
proc_is_ours() {
  local arg
  local -a args
  { mapfile -d '' args <"/proc/$1/cmdline"; } 2>/dev/null || return 1
  for arg in "${args[@]}"; do
    [[ $arg == *"$STATE/"* ]] && return 0
  done
  return 1
}

# Live (non-zombie) pids of ours in process group $1.
our_group_members() {
  local pgid=$1 dir
  for dir in /proc/[0-9]*; do
    proc_stat "${dir#/proc/}" || continue
    [[ $PROC_PGRP == "$pgid" && $PROC_STATE != [ZX] ]] || continue
    proc_is_ours "${dir#/proc/}" && echo "${dir#/proc/}"
  done
}

# Is the process recorded in $1 (a pid file) alive, ours, and leading its own group?
recorded_is_alive() {
  local pid
  [[ -s $1 ]] || return 1
  pid=$(<"$1")
  proc_stat "$pid" || return 1
  [[ $PROC_STATE != [ZX] && $PROC_PGRP == "$pid" ]] && proc_is_ours "$pid"
}

# Signal the whole group recorded in $1; wait until none of its members is left (zombies count
# as gone: whoever inherited them reaps them, not us), escalating to SIGKILL after $2 seconds.
stop_group() {
  local pidfile=$1 grace=${2:-10} pgid members i
  [[ -s $pidfile ]] || return 0
  pgid=$(<"$pidfile")
  [[ $pgid =~ ^[0-9]+$ ]] || { rm -f "$pidfile"; return 0; }
  members=$(our_group_members "$pgid")
  if [[ -n $members ]]; then
    kill -TERM -- "-$pgid" 2>/dev/null || true
    for ((i = 0; i < grace * 20; i++)); do
      [[ -z $(our_group_members "$pgid") ]] && break
      sleep 0.05
    done
    if [[ -n $(our_group_members "$pgid") ]]; then
      log "process group $pgid ignored SIGTERM; sending SIGKILL"
      kill -KILL -- "-$pgid" 2>/dev/null || true
      for ((i = 0; i < 100; i++)); do
        [[ -z $(our_group_members "$pgid") ]] && break
        sleep 0.05
      done
      [[ -z $(our_group_members "$pgid") ]] || die "process group $pgid would not stop"
    fi
  fi
  rm -f "$pidfile"
}

stop_recorded_processes() {
  # The web server first: it holds database connections.
  stop_group "$STATE/php.pid" 5
  stop_group "$STATE/mariadb.pid" 20
}

site_is_up() {
  [[ -s $STATE/env && -s $STATE/url ]] || return 1
  recorded_is_alive "$STATE/mariadb.pid" && recorded_is_alive "$STATE/php.pid" || return 1
  curl -fsS -o /dev/null --max-time 5 "$(<"$STATE/url")/wp-json/" 2>/dev/null
}

# Start "$@" as the leader of a new process group, stdio detached (an inherited pipe would make
# `$(wp-up)` or `wp-up | tee` wait for the daemon), and record its pid in $1.
start_daemon() {
  local pidfile=$1 logfile=$2 pid
  shift 2
  # Without job control a background child is never a group leader, so setsid(1) execs in place
  # (no fork) and $! is the daemon itself. fd 9 is the state dir's lock: the daemon must not keep it.
  setsid "$@" </dev/null >>"$logfile" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$pidfile"
  # The child calls setsid() some time after the fork: on a loaded machine 20 ms was not
  # always enough (seen with two test sites booting at once), so wait for it, up to 10 s.
  local tries=0
  while proc_stat "$pid" && [[ $PROC_PGRP != "$pid" ]] && ((tries++ < 500)); do
    sleep 0.02
  done
  proc_stat "$pid" || return 0   # died at once; the caller's wait reports it
  [[ $PROC_PGRP == "$pid" ]] || die "setsid did not make $pid a group leader (pgrp $PROC_PGRP)"
}

start_mariadb() {
  log "starting MariaDB (datadir $STATE/db)"
  mariadb-install-db --no-defaults --datadir="$STATE/db" --user=root \
    --auth-root-authentication-method=socket --skip-test-db \
    </dev/null >"$STATE/mariadb-install.log" 2>&1 ||
    { tail -n 20 "$STATE/mariadb-install.log" >&2; die "mariadb-install-db failed"; }
  # Durability is worth nothing for a throw-away test database; speed is.
  start_daemon "$STATE/mariadb.pid" "$STATE/mariadb.log" \
    mariadbd --no-defaults --user=root --datadir="$STATE/db" --socket="$SOCKET" \
    --pid-file="$STATE/run/mariadbd.pid" --skip-networking --skip-log-bin \
    --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --innodb-buffer-pool-size=64M \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci
  local i
  for ((i = 0; i < 600; i++)); do
    mariadb-admin --no-defaults --socket="$SOCKET" -u root ping >/dev/null 2>&1 && break
    recorded_is_alive "$STATE/mariadb.pid" ||
      { tail -n 20 "$STATE/mariadb.log" >&2; die "MariaDB exited (log: $STATE/mariadb.log)"; }
    sleep 0.05
  done
  ((i < 600)) || die "MariaDB did not answer within 30 s (log: $STATE/mariadb.log)"
  mariadb --no-defaults --socket="$SOCKET" -u root <<SQL
CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO '$DB_USER'@'localhost';
SQL
}

free_port() {
  # shellcheck disable=SC2016 # PHP code, not shell
  php -r '$s = stream_socket_server("tcp://127.0.0.1:0", $e, $m) or exit(1);
          echo substr(strrchr(stream_socket_get_name($s, false), ":"), 1);'
}

# Docroot = Debian's WordPress with a private wp-content, so uploads and plugins stay in $STATE.
build_docroot() {
  local f name
  mkdir -p "$STATE/docroot" "$STATE/wp-content/plugins" "$STATE/wp-content/uploads"
  for f in "$WP_ROOT"/*; do
    name=${f##*/}
    [[ $name == wp-content ]] || ln -sfn "$f" "$STATE/docroot/$name"
  done
  ln -sfn "$STATE/wp-content" "$STATE/docroot/wp-content"
  ln -sfn "$WP_ROOT/wp-content/themes" "$STATE/wp-content/themes"
  ln -sfn "$WP_ROOT/wp-content/languages" "$STATE/wp-content/languages"
  ln -sfn "$WP_ROOT/wp-content/plugins/akismet" "$STATE/wp-content/plugins/akismet"
  ln -sfn "$HERE/mu-plugins" "$STATE/wp-content/mu-plugins"
}

write_wp_config() {
  local url=$1 salts
  salts=$(for k in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT \
                   LOGGED_IN_SALT NONCE_SALT; do
            printf "define('%s', '%s');\n" "$k" "$(head -c 32 /dev/urandom | md5sum | cut -c1-32)"
          done)
  cat >"$STATE/wp-config.php" <<PHP
<?php
// Written by tests/wordpress/wp-up for the throw-away site in $STATE.
define('DB_NAME', '$DB_NAME');
define('DB_USER', '$DB_USER');
define('DB_PASSWORD', '$DB_PASSWORD');
define('DB_HOST', 'localhost:$SOCKET');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('WP_HOME', '$url');
define('WP_SITEURL', '$url');
define('WP_CONTENT_DIR', '$STATE/wp-content');
define('WP_CONTENT_URL', '$url/wp-content');
define('WP_ENVIRONMENT_TYPE', 'local');   // application passwords over plain http
define('WP_HTTP_BLOCK_EXTERNAL', true);   // nothing leaves the machine (Akismet, updates, oEmbed)
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_POST_REVISIONS', false);       // keeps the fixture's row counts fixed
define('FS_METHOD', 'direct');
define('WP_DEBUG', false);
$salts
\$table_prefix = 'wp_';
PHP
  printf "<?php\nrequire '%s/wp-config.php';\n" "$STATE" >"$CONFIG_FILE"
}

start_php_server() {
  build_docroot
  local port url i
  for _ in 1 2 3 4 5; do
    port=${WPARCHIVE_WP_PORT:-$(free_port)}
    url=http://127.0.0.1:$port
    write_wp_config "$url"
    echo "$url" >"$STATE/url"
    log "starting php -S on $url"
    # php -S does not put the environment into \$_SERVER, so router.php passes the config name on.
    WPARCHIVE_WP_CONFIG=$CONFIG_NAME PHP_CLI_SERVER_WORKERS=4 \
      start_daemon "$STATE/php.pid" "$STATE/php.log" \
      php -d memory_limit=256M -S "127.0.0.1:$port" -t "$STATE/docroot" "$HERE/router.php"
    for ((i = 0; i < 200; i++)); do
      recorded_is_alive "$STATE/php.pid" || break
      # Any HTTP answer will do: the database is still empty.
      curl -s -o /dev/null --max-time 2 "$url/wp-includes/images/blank.gif" && return 0
      sleep 0.05
    done
    stop_group "$STATE/php.pid" 2
    [[ -n ${WPARCHIVE_WP_PORT:-} ]] && break   # a fixed port that is taken stays taken
    log "port $port was not usable, trying another"
  done
  tail -n 20 "$STATE/php.log" >&2
  die "php -S did not start (log: $STATE/php.log)"
}

# Run one of our PHP scripts against the site; its output goes to stderr (stdout is for the env path).
run_php() {
  local script=$1
  shift
  WPARCHIVE_WP_CONFIG=$CONFIG_NAME WPARCHIVE_WP_URL=$(<"$STATE/url") WPARCHIVE_WP_STATE=$STATE \
    php -d memory_limit=1G "$HERE/$script" "$@" </dev/null >&2 9>&- ||
    die "$script failed"
}

write_export() {
  log "writing the WXR export"
  WPARCHIVE_WP_CONFIG=$CONFIG_NAME WPARCHIVE_WP_URL=$(<"$STATE/url") WPARCHIVE_WP_STATE=$STATE \
    php -d memory_limit=1G "$HERE/export.php" </dev/null >"$STATE/export.xml.open" ||
    die "export.php failed"
  xmllint --noout "$STATE/export.xml.open" || die "the WXR export is not well-formed XML"
  mv "$STATE/export.xml.open" "$STATE/export.xml"
}

write_env() {
  local url port app bulk
  url=$(<"$STATE/url")
  port=${url##*:}
  app=$(<"$STATE/app-password")
  bulk=$(cat "$STATE/bulk-count" 2>/dev/null || echo 0)
  # Shell syntax (`. env` works); values never contain single quotes.
  cat >"$STATE/env.open" <<ENV
WP_URL='$url'
WP_HOST='127.0.0.1'
WP_PORT='$port'
WP_USER='$WP_USER'
WP_PASSWORD='$WP_PASSWORD'
WP_APP_PASSWORD='$app'
WP_EXPORT='$STATE/export.xml'
WP_FIXTURE='$STATE/fixture.json'
WP_BULK_POSTS='$bulk'
WP_LOCALE='hu_HU'
WP_STATE='$STATE'
WP_DB_SOCKET='$SOCKET'
WP_DB_NAME='$DB_NAME'
WP_DB_USER='$DB_USER'
WP_DB_PASSWORD='$DB_PASSWORD'
WP_PHP_PID='$(<"$STATE/php.pid")'
WP_MARIADB_PID='$(<"$STATE/mariadb.pid")'
ENV
  mv "$STATE/env.open" "$STATE/env"
}
