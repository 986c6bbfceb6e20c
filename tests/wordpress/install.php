<?php
// Install the site non-interactively: Hungarian, pretty permalinks, an application password.
// The fixture content comes afterwards from populate.php, in a fresh process.

define('WP_INSTALLING', true);
require __DIR__ . '/boot.php';

// No mail on install (upgrade.php only defines these when they don't exist yet).
function wp_new_blog_notification($blog_title, $blog_url, $user_id, $password) {}

require_once ABSPATH . 'wp-admin/includes/upgrade.php';

function wpa_install(): void {
    global $wp_rewrite;
    $state = getenv('WPARCHIVE_WP_STATE');
    $url = getenv('WPARCHIVE_WP_URL');

    if (is_blog_installed()) {
        fwrite(STDERR, "install.php: already installed\n");
        exit(1);
    }
    // Loaded first so that the default content (category name ...) is created in Hungarian.
    load_default_textdomain('hu_HU');
    $result = wp_install('SaLa gondolatai', 'sala', 'sala@example.org', true, '',
                         'sala-login-password', 'hu_HU');
    update_option('siteurl', $url);
    update_option('home', $url);

    // The taxonomies were registered before the structure existed: re-register them, or
    // category and tag archives 404. A soft flush: Debian symlinks .htaccess into /etc.
    $wp_rewrite->set_permalink_structure('/%year%/%monthnum%/%day%/%postname%/');
    create_initial_taxonomies();
    flush_rewrite_rules(false);

    // The REST API accepts only application passwords over HTTP Basic, not the login password.
    [$password] = WP_Application_Passwords::create_new_application_password(
        $result['user_id'], ['name' => 'wparchive tests']);
    // Stored in the form WordPress shows it (groups of four, spaces) — clients must cope.
    file_put_contents("$state/app-password", WP_Application_Passwords::chunk_password($password));
    fwrite(STDERR, "install.php: installed, admin user id {$result['user_id']}\n");
}

wpa_install();
