<?php
// Print the site's own WXR export (Tools → Export → All content) on stdout.
require __DIR__ . '/boot.php';
require_once ABSPATH . 'wp-admin/includes/export.php';

function wpa_export(): void {
    ob_start();
    export_wp(['content' => 'all']);
    echo ob_get_clean();
}

wpa_export();
