<?php
// Load WordPress from the PHP CLI for the site wp-up set up; include at the top level of a script
// (wp-settings.php relies on its variables being globals).

foreach (['WPARCHIVE_WP_URL', 'WPARCHIVE_WP_CONFIG', 'WPARCHIVE_WP_STATE'] as $wpa_key) {
    if (getenv($wpa_key) === false || getenv($wpa_key) === '') {
        fwrite(STDERR, "$wpa_key is not set: run this through wp-up\n");
        exit(2);
    }
}
$wpa_url = parse_url(getenv('WPARCHIVE_WP_URL'));

// What a web request would have: Debian's wp-config.php reads HTTP_HOST and WORDPRESS_CONFIG.
$_SERVER['HTTP_HOST'] = $wpa_url['host'] . ':' . $wpa_url['port'];
$_SERVER['SERVER_NAME'] = $wpa_url['host'];
$_SERVER['SERVER_PORT'] = (string) $wpa_url['port'];
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
$_SERVER['WORDPRESS_CONFIG'] = getenv('WPARCHIVE_WP_CONFIG');

require '/usr/share/wordpress/wp-load.php';
