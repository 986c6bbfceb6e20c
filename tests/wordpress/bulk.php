<?php
// Top the site up to N published "bulk" posts for benchmarks: `php bulk.php N` (run by wp-up --bulk N).
// Multi-row INSERTs, then one term-count update: ~15,000 posts/s, where wp_insert_post() manages
// ~200/s. Idempotent: asking for N again adds nothing. All bulk posts are dated before the fixture's
// own posts (2015-01-01 onwards, one every 6 hours), so the fixture stays on the first REST page.

require __DIR__ . '/boot.php';

const WPA_BULK_SLUG = 'tomeges-bejegyzes-';
const WPA_BULK_CHUNK = 1000;

function wpa_bulk_term(string $name, string $slug, string $taxonomy): int {
    $term = get_term_by('slug', $slug, $taxonomy);
    if ($term) {
        return (int) $term->term_taxonomy_id;
    }
    $r = wp_insert_term($name, $taxonomy, ['slug' => $slug]);
    if (is_wp_error($r)) {
        fwrite(STDERR, "bulk.php: term $name: {$r->get_error_message()}\n");
        exit(1);
    }
    return (int) $r['term_taxonomy_id'];
}

function wpa_bulk(int $target): void {
    global $wpdb;
    $like = $wpdb->esc_like(WPA_BULK_SLUG) . '%';
    $have = (int) $wpdb->get_var($wpdb->prepare(
        "SELECT COUNT(*) FROM $wpdb->posts WHERE post_type = 'post' AND post_name LIKE %s", $like));
    $state = getenv('WPARCHIVE_WP_STATE');
    if ($have >= $target) {
        file_put_contents("$state/bulk-count", "$have\n");
        return;
    }
    $started = microtime(true);
    $tt_category = wpa_bulk_term('Archívum', 'archivum', 'category');
    $tt_tag = wpa_bulk_term('Tömeges', 'tomeges', 'post_tag');
    $authors = array_map('intval', $wpdb->get_col(
        "SELECT ID FROM $wpdb->users WHERE user_login IN ('sala', 'kovacs.anna', 'nagy.peter') ORDER BY ID"));
    $paragraphs = preg_split("/\n\s*\n/", trim(file_get_contents(__DIR__ . '/content/putyin-eszak-koreaba.txt')));
    $seed_id = (int) $wpdb->get_var("SELECT ID FROM $wpdb->posts WHERE post_type = 'post'
                                     AND post_name LIKE 'az-orosz-putyin%' LIMIT 1");
    $seed_link = $seed_id ? get_permalink($seed_id) : home_url('/');
    $max_before = (int) $wpdb->get_var("SELECT MAX(ID) FROM $wpdb->posts");
    $tz = wp_timezone();
    $utc = new DateTimeZone('UTC');
    $base = new DateTimeImmutable('2015-01-01 00:00:00', $tz);

    $columns = 'post_author, post_date, post_date_gmt, post_content, post_title, post_excerpt, '
        . 'post_status, comment_status, ping_status, post_password, post_name, to_ping, pinged, '
        . 'post_modified, post_modified_gmt, post_content_filtered, post_parent, guid, menu_order, '
        . 'post_type, post_mime_type, comment_count';
    for ($start = $have + 1; $start <= $target; $start += WPA_BULK_CHUNK) {
        $rows = [];
        for ($n = $start; $n <= min($target, $start + WPA_BULK_CHUNK - 1); $n++) {
            $when = $base->add(new DateInterval('PT' . (6 * ($n - 1)) . 'H'));
            $date = $when->format('Y-m-d H:i:s');
            $gmt = $when->setTimezone($utc)->format('Y-m-d H:i:s');
            $content = sprintf("<!-- wp:paragraph -->\n<p>%s</p>\n<!-- /wp:paragraph -->\n\n"
                . "<!-- wp:paragraph -->\n<p>A %d. tömeges bejegyzés. Lásd még: <a href=\"%s\">a nyitó cikk</a>.</p>\n"
                . "<!-- /wp:paragraph -->", esc_html($paragraphs[$n % count($paragraphs)]), $n, esc_url($seed_link));
            $rows[] = $wpdb->prepare(
                '(%d, %s, %s, %s, %s, \'\', \'publish\', \'open\', \'open\', \'\', %s, \'\', \'\', '
                . '%s, %s, \'\', 0, \'\', 0, \'post\', \'\', 0)',
                $authors[$n % count($authors)], $date, $gmt, $content,
                sprintf('Tömeges bejegyzés %05d', $n), WPA_BULK_SLUG . sprintf('%05d', $n), $date, $gmt);
        }
        $wpdb->query("INSERT INTO $wpdb->posts ($columns) VALUES " . implode(",\n", $rows))
            or exit("bulk.php: INSERT failed: $wpdb->last_error\n");
    }
    $new = $wpdb->prepare('ID > %d AND post_name LIKE %s', $max_before, $like);
    $wpdb->query($wpdb->prepare("UPDATE $wpdb->posts SET guid = CONCAT(%s, ID) WHERE $new",
                                home_url('/?p=')));
    foreach ([$tt_category, $tt_tag] as $tt) {
        $wpdb->query("INSERT INTO $wpdb->term_relationships (object_id, term_taxonomy_id)
                      SELECT ID, $tt FROM $wpdb->posts WHERE $new");
    }
    wp_update_term_count_now([$tt_category], 'category');
    wp_update_term_count_now([$tt_tag], 'post_tag');
    wp_cache_flush();
    file_put_contents("$state/bulk-count", "$target\n");
    fprintf(STDERR, "bulk.php: %d posts added in %.2f s\n", $target - $have, microtime(true) - $started);
}

if ($argc !== 2 || !ctype_digit($argv[1])) {
    fwrite(STDERR, "usage: bulk.php N\n");
    exit(2);
}
wpa_bulk((int) $argv[1]);
