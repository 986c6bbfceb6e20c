<?php
// Router for `php -S`: what Apache's rewrite rules and Debian's SetEnv do on a real install.

// Debian's wp-config.php picks /etc/wordpress/config-NAME.php from $_SERVER['WORDPRESS_CONFIG'];
// php -S leaves the process environment out of $_SERVER, so copy it over.
$_SERVER['WORDPRESS_CONFIG'] = getenv('WPARCHIVE_WP_CONFIG');

$path = rawurldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?? '/');
if (str_contains($path, "\0") || str_contains($path, '/../')) {
    http_response_code(400);
    return true;
}
$file = rtrim($_SERVER['DOCUMENT_ROOT'], '/') . $path;
if (is_dir($file) && is_file(rtrim($file, '/') . '/index.php')) {
    if (!str_ends_with($path, '/')) {          // /wp-admin → /wp-admin/, as Apache does
        header('Location: ' . $path . '/', true, 301);
        return true;
    }
    $file = rtrim($file, '/') . '/index.php';
    $path .= 'index.php';
}

if (is_file($file)) {
    if (!str_ends_with($file, '.php')) {
        return false;                          // static file: php -S serves it
    }
    $script = $file;                           // wp-login.php, wp-admin/*.php, xmlrpc.php ...
} else {
    $script = $_SERVER['DOCUMENT_ROOT'] . '/index.php';   // pretty permalinks
    $path = '/index.php';
}

// WordPress reads these to tell which script runs (admin screens, is_admin()).
$_SERVER['SCRIPT_FILENAME'] = $script;
$_SERVER['SCRIPT_NAME'] = $path;
$_SERVER['PHP_SELF'] = $path;
chdir(dirname($script));
require $script;
