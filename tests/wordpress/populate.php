<?php
// Fill the freshly installed site with wparchive's fixture content, then write $STATE/fixture.json
// (ids, links and counts) for the tests. Deterministic: every date is fixed, and the dates that
// WordPress stamps with "now" are set back in SQL at the end. Ids are the same on every fresh
// install because the insertion order is. Run by wp-up; the README lists what is here.

require __DIR__ . '/boot.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
require_once ABSPATH . 'wp-admin/includes/image.php';

const WPA_AKISMET = 'akismet/akismet.php';
// A dummy key of the right length: Akismet prints its form nonce and script only when a key is
// set; WP_HTTP_BLOCK_EXTERNAL keeps it from ever being checked.
const WPA_AKISMET_KEY = '0123456789ab';

function wpa_die(string $what, $error = null): void {
    $msg = $error instanceof WP_Error ? $error->get_error_message() : (string) $error;
    fwrite(STDERR, "populate.php: $what: $msg\n");
    exit(1);
}

function wpa_check($result, string $what) {
    if (is_wp_error($result) || !$result) {
        wpa_die($what, $result);
    }
    return $result;
}

/** Site settings and plugins: what an admin would have set up before writing anything. */
function wpa_configure_site(): void {
    $options = [
        'blogdescription' => 'SaLa gondolatai egy szebb világról!',
        'timezone_string' => 'Europe/Budapest',
        'gmt_offset' => '',
        'date_format' => 'Y. F j.',
        'time_format' => 'H:i',
        'start_of_week' => 1,
        'posts_per_page' => 10,
        'default_pingback_flag' => 0,      // no outgoing pings (and no _pingme meta left behind)
        'default_comment_status' => 'open',
        'comment_moderation' => 0,
        'comment_previously_approved' => 1,
        'require_name_email' => 1,
        'thread_comments' => 1,
        'thread_comments_depth' => 5,
        'show_avatars' => 1,
        'uploads_use_yearmonth_folders' => 1,
        'fresh_site' => 0,
        // Social Media Auto Publish's switch for its footer credit (the mu-plugin reads it).
        'xyz_credit_link' => 'smap',
        // Akismet: a key, and the privacy notice under comment forms that the seed page shows.
        'wordpress_api_key' => WPA_AKISMET_KEY,
        'akismet_comment_form_privacy_notice' => 'display',
        'akismet_strictness' => 0,
        'akismet_show_user_comments_approved' => 0,
    ];
    foreach ($options as $name => $value) {
        update_option($name, $value);
    }
    // The options are set first, so that activation sees a key and makes no calls of its own.
    wpa_check(activate_plugin(WPA_AKISMET) === null, 'activating Akismet');

    // wp_install's sample content carries "now" dates: replace it with our own.
    wp_delete_comment(1, true);
    foreach ([1, 2, 3] as $id) {
        wp_delete_post($id, true);
    }
    wp_update_term(1, 'category', ['name' => 'Egyéb', 'slug' => 'egyeb']);
}

function wpa_create_users(): array {
    $admin = get_user_by('login', 'sala');
    wp_update_user([
        'ID' => $admin->ID,
        'display_name' => 'SaLa',
        'nickname' => 'SaLa',
        'first_name' => 'Sándor',
        'last_name' => 'László',
        'user_url' => 'https://example.org/sala',
        'description' => 'A blog szerzője. Egy szebb világról gondolkodom.',
    ]);
    $users = ['sala' => $admin->ID];
    $people = [
        ['kovacs.anna', 'Kovács Anna', 'Anna', 'Kovács', 'author', '2020-02-03 10:00:00',
         'Újságíró, fordító.'],
        ['nagy.peter', 'Nagy Péter', 'Péter', 'Nagy', 'editor', '2020-05-11 16:30:00',
         'Szerkesztő.'],
        // Never publishes: hidden from anonymous REST user lists, but comments as a member.
        ['szabo.eva', 'Szabó Éva', 'Éva', 'Szabó', 'contributor', '2021-09-20 08:15:00', ''],
    ];
    foreach ($people as [$login, $display, $first, $last, $role, $registered, $bio]) {
        $users[$login] = wpa_check(wp_insert_user([
            'user_login' => $login,
            'user_pass' => "$login-password",
            'user_email' => "$login@example.org",
            'display_name' => $display,
            'nickname' => $display,
            'first_name' => $first,
            'last_name' => $last,
            'role' => $role,
            'user_registered' => $registered,
            'description' => $bio,
        ]), "user $login");
    }
    return $users;
}

function wpa_term(string $name, string $taxonomy, string $slug, int $parent = 0,
                  string $description = ''): int {
    $r = wpa_check(wp_insert_term($name, $taxonomy,
        ['slug' => $slug, 'parent' => $parent, 'description' => $description]), "term $name");
    return (int) $r['term_id'];
}

function wpa_create_terms(): array {
    $t = ['cat_egyeb' => 1];
    $t['cat_vilagpolitika'] = wpa_term('Világpolitika', 'category', 'vilagpolitika', 0,
                                       'Nemzetközi hírek és elemzések.');
    $t['cat_azsia'] = wpa_term('Ázsia', 'category', 'azsia', $t['cat_vilagpolitika']);
    $t['cat_eszak_korea'] = wpa_term('Észak-Korea', 'category', 'eszak-korea', $t['cat_azsia']);
    $t['cat_europa'] = wpa_term('Európa', 'category', 'europa', $t['cat_vilagpolitika']);
    $t['cat_naplo'] = wpa_term('Napló', 'category', 'naplo', 0, 'A blog saját ügyei.');
    $t['tag_putyin'] = wpa_term('Putyin', 'post_tag', 'putyin');
    $t['tag_kim_dzsong_un'] = wpa_term('Kim Dzsong Un', 'post_tag', 'kim-dzsong-un');
    $t['tag_oroszorszag'] = wpa_term('Oroszország', 'post_tag', 'oroszorszag');
    // Same slug as the category: one slug, two archives (/category/… and /tag/…).
    $t['tag_eszak_korea'] = wpa_term('Észak-Korea', 'post_tag', 'eszak-korea');
    $t['tag_foto'] = wpa_term('Fotó', 'post_tag', 'foto');
    $t['tag_proba'] = wpa_term('Próba', 'post_tag', 'proba');
    $t['tag_brics'] = wpa_term('BRICS', 'post_tag', 'brics');      // only on a draft: count 0
    $t['konyha_magyar'] = wpa_term('Magyar konyha', 'konyha', 'magyar-konyha');
    $t['konyha_francia'] = wpa_term('Francia konyha', 'konyha', 'francia-konyha');
    return $t;
}

/** Draw a deterministic test picture with GD: a two-colour gradient, a disc and a label. */
function wpa_draw_image(string $path, int $w, int $h, array $from, array $to, string $label): void {
    $im = imagecreatetruecolor($w, $h);
    for ($y = 0; $y < $h; $y++) {
        $k = $y / max(1, $h - 1);
        $c = array_map(fn($a, $b) => (int) round($a + ($b - $a) * $k), $from, $to);
        imageline($im, 0, $y, $w - 1, $y, imagecolorallocate($im, ...$c));
    }
    imagefilledellipse($im, (int) ($w * 0.7), (int) ($h * 0.45), (int) ($h * 0.5), (int) ($h * 0.5),
                       imagecolorallocate($im, 250, 220, 90));
    imagefilledrectangle($im, 0, $h - 40, $w - 1, $h - 1, imagecolorallocate($im, 20, 20, 20));
    imagestring($im, 5, 16, $h - 30, $label, imagecolorallocate($im, 255, 255, 255));
    str_ends_with($path, '.png') ? imagepng($im, $path, 9) : imagejpeg($im, $path, 82);
    imagedestroy($im);
}

/**
 * Add an image attachment. The file is written straight into uploads/YYYY/MM under the given
 * name: WordPress ≥ 6.0 strips accents from uploaded names, but sites that are older than that
 * are full of names like árvíztűrő-tükörfúrógép.jpg, and so is this fixture.
 */
function wpa_add_image(string $filename, string $date, array $draw, array $post): int {
    $uploads = wp_upload_dir(substr($date, 0, 4) . '/' . substr($date, 5, 2));
    $file = $uploads['path'] . '/' . $filename;
    wpa_draw_image($file, ...$draw);
    $id = wpa_check(wp_insert_attachment(array_merge([
        'post_mime_type' => wp_check_filetype($filename)['type'],
        'post_status' => 'inherit',
        'post_date' => $date,
        'guid' => $uploads['url'] . '/' . $filename,
    ], $post), $file, 0, true), "attachment $filename");
    wp_update_attachment_metadata($id, wp_generate_attachment_metadata($id, $file));
    return $id;
}

function wpa_create_media(array $users): array {
    $m = [];
    $m['img_phenjan'] = wpa_add_image('phenjan-latkep.jpg', '2024-06-17 05:40:00',
        [1200, 800, [40, 70, 140], [200, 120, 60], 'Phenjan - latkep'],
        ['post_title' => 'Phenjan látképe', 'post_author' => $users['sala'],
         'post_excerpt' => 'Phenjan belvárosa naplementében.',
         'post_content' => 'Illusztráció a látogatásról szóló cikkhez.']);
    update_post_meta($m['img_phenjan'], '_wp_attachment_image_alt', 'Phenjan látképe naplementében');
    $m['img_arvizturo'] = wpa_add_image('árvíztűrő-tükörfúrógép.jpg', '2024-05-02 11:00:00',
        [900, 600, [30, 110, 60], [230, 230, 200], 'arvizturo tukorfurogep'],
        ['post_title' => 'Árvíztűrő tükörfúrógép', 'post_author' => $users['kovacs.anna'],
         'post_excerpt' => 'Az ékezetes betűk próbája.']);
    update_post_meta($m['img_arvizturo'], '_wp_attachment_image_alt', 'Árvíztűrő tükörfúrógép');
    $m['img_grafikon'] = wpa_add_image('grafikon.png', '2024-04-12 09:00:00',
        [640, 480, [250, 250, 250], [180, 200, 230], 'grafikon 2024'],
        ['post_title' => 'Grafikon', 'post_author' => $users['kovacs.anna']]);
    // Unattached (post_parent 0), and smaller than "medium": only a thumbnail is generated.
    $m['img_logo'] = wpa_add_image('sala-logo.png', '2019-10-01 09:00:00',
        [200, 200, [120, 40, 90], [240, 160, 60], 'SaLa'],
        ['post_title' => 'SaLa logó', 'post_author' => $users['sala']]);
    return $m;
}

function wpa_insert(array $post): int {
    // Comments and pings are open on posts and recipes, closed on pages and blocks (as WP does).
    $open = in_array($post['post_type'] ?? 'post', ['post', 'recept'], true) ? 'open' : 'closed';
    $post += ['post_status' => 'publish', 'post_type' => 'post', 'comment_status' => $open,
              'ping_status' => $open];
    return wpa_check(wp_insert_post($post, true), 'post ' . $post['post_title']);
}

/** Attach a media item to a post (no wp_update_post: that would stamp "now" and run hooks). */
function wpa_attach(int $media, int $parent): void {
    global $wpdb;
    $wpdb->update($wpdb->posts, ['post_parent' => $parent], ['ID' => $media]);
    clean_post_cache($media);
}

function wpa_paragraphs(array $paragraphs): string {
    return implode("\n\n", array_map(
        fn($p) => "<!-- wp:paragraph -->\n<p>$p</p>\n<!-- /wp:paragraph -->", $paragraphs));
}

function wpa_image_block(int $id, string $size, string $link_to, string $caption = ''): string {
    $src = wp_get_attachment_image_src($id, $size)[0];
    $alt = esc_attr(get_post_meta($id, '_wp_attachment_image_alt', true));
    $href = $link_to === 'attachment' ? get_attachment_link($id) : wp_get_attachment_url($id);
    $figcaption = $caption ? "<figcaption class=\"wp-element-caption\">$caption</figcaption>" : '';
    return sprintf('<!-- wp:image {"id":%1$d,"sizeSlug":"%2$s","linkDestination":"%3$s"} -->'
        . "\n" . '<figure class="wp-block-image size-%2$s"><a href="%4$s"><img src="%5$s" alt="%6$s" '
        . 'class="wp-image-%1$d"/></a>%7$s</figure>' . "\n<!-- /wp:image -->",
        $id, $size, $link_to === 'attachment' ? 'attachment' : 'media', esc_url($href),
        esc_url($src), $alt, $figcaption);
}

function wpa_create_reusable_block(): int {
    return wpa_insert([
        'post_type' => 'wp_block',
        'post_title' => 'Hírlevél-felhívás',
        'post_date' => '2024-01-15 12:00:00',
        'post_content' => "<!-- wp:paragraph {\"className\":\"hirlevel\"} -->\n"
            . '<p class="hirlevel"><strong>Iratkozzon fel hírlevelünkre!</strong> Hetente egyszer '
            . "írunk, reklám nélkül.</p>\n<!-- /wp:paragraph -->",
    ]);
}

function wpa_create_pages(array $users): array {
    $p = [];
    $p['page_rolunk'] = wpa_insert([
        'post_type' => 'page', 'post_title' => 'Rólunk', 'post_name' => 'rolunk',
        'post_author' => $users['sala'], 'post_date' => '2019-10-01 10:00:00', 'menu_order' => 1,
        'post_content' => wpa_paragraphs([
            'A <em>SaLa gondolatai</em> egy magánblog: hírek fordításai és saját gondolatok egy '
            . 'szebb világról.',
            'A blogot 2019 óta írjuk, többen.',
        ]),
    ]);
    $p['page_kapcsolat'] = wpa_insert([
        'post_type' => 'page', 'post_title' => 'Kapcsolat', 'post_name' => 'kapcsolat',
        'post_parent' => $p['page_rolunk'], 'post_author' => $users['sala'],
        'post_date' => '2019-10-01 10:05:00', 'menu_order' => 1,
        'post_content' => wpa_paragraphs([
            'Írjon nekünk: <a href="mailto:sala@example.org">sala@example.org</a>.',
        ]),
    ]);
    $p['page_adatvedelem'] = wpa_insert([
        'post_type' => 'page', 'post_title' => 'Adatvédelmi tájékoztató',
        'post_name' => 'adatvedelmi-tajekoztato', 'post_author' => $users['sala'],
        'post_date' => '2019-10-01 10:10:00', 'menu_order' => 2,
        'post_content' => wpa_paragraphs([
            'Ez az oldal hozzászólások beküldésekor a megadott nevet, e-mail-címet és IP-címet tárolja.',
            'A hozzászólások spamszűrését az Akismet végzi.',
        ]),
    ]);
    update_option('wp_page_for_privacy_policy', $p['page_adatvedelem']);
    return $p;
}

function wpa_create_posts(array $users, array $terms, array $media, int $block, array $pages): array {
    $p = [];
    $cats = fn(string ...$keys) => array_map(fn($k) => $terms["cat_$k"], $keys);
    $tags = fn(string ...$keys) => array_map(fn($k) => $terms["tag_$k"], $keys);

    // The seed post: the page wparchive was created from, with its full body as paragraphs.
    $body = preg_split("/\n\s*\n/", trim(file_get_contents(__DIR__ . '/content/putyin-eszak-koreaba.txt')));
    $body = array_map('esc_html', $body);
    $p['post_seed'] = wpa_insert([
        'post_title' => 'Az orosz Putyin ritka útra látogat Észak-Koreába a Nyugat-ellenes '
            . 'felállás elmélyülésével – Frissítve 2024. június 17-én, 7:58 EDT',
        'post_author' => $users['sala'],
        'post_date' => '2024-06-17 06:12:00',
        'post_category' => $cats('eszak_korea'),
        'tags_input' => $tags('putyin', 'kim_dzsong_un', 'oroszorszag', 'eszak_korea'),
        // The "bővebben" (read more) link the seed shows comes from this break.
        'post_content' => wpa_paragraphs([$body[0]]) . "\n\n<!-- wp:more -->\n<!--more-->\n"
            . "<!-- /wp:more -->\n\n" . wpa_paragraphs(array_slice($body, 1)),
        'meta_input' => ['xyz_smap' => '1'],   // Social Media Auto Publish marks what it shared
    ]);
    wpa_attach($media['img_phenjan'], $p['post_seed']);
    set_post_thumbnail($p['post_seed'], $media['img_phenjan']);

    // The related post the seed page links to.
    $p['post_ramsay'] = wpa_insert([
        'post_title' => 'Ramsay-csoport: „A feladat teljesítve”',
        'post_author' => $users['nagy.peter'],
        'post_date' => '2024-06-18 09:30:00',
        'post_category' => $cats('europa'),
        'tags_input' => $tags('oroszorszag'),
        'post_content' => wpa_paragraphs([
            'A Ramsay-csoport rövid közleményben jelentette be: „A feladat teljesítve”. '
            . 'A részletekről nem írtak.',
            sprintf('Előzmény: <a href="%s">Putyin ritka útra látogat Észak-Koreába</a>.',
                    esc_url(get_permalink($p['post_seed']))),
        ]),
        'meta_input' => ['xyz_smap' => '1'],
    ]);

    $p['post_cyrillic'] = wpa_insert([
        // A slug WordPress stores percent-encoded (…/%d0%bf%d1%83…/): links must survive that.
        'post_title' => 'Путин в Пхеньяне',
        'post_author' => $users['kovacs.anna'],
        'post_date' => '2024-06-19 08:00:00',
        'post_category' => $cats('azsia'),
        'tags_input' => $tags('putyin', 'oroszorszag'),
        'post_content' => wpa_paragraphs([
            'Az orosz sajtó címlapja a látogatás napján: <q lang="ru">Путин в Пхеньяне</q>.',
        ]),
    ]);

    // Uses the reusable block and is the source of the pingback on the comments post.
    $p['post_blocks'] = wpa_insert([
        'post_title' => 'Blokkszerkesztő: minden elem egy helyen',
        'post_author' => $users['kovacs.anna'],
        'post_date' => '2024-04-12 09:15:00',
        'post_category' => $cats('naplo'),
        'tags_input' => $tags('proba'),
        'post_content' => implode("\n\n", [
            "<!-- wp:heading -->\n<h2>Címsor</h2>\n<!-- /wp:heading -->",
            wpa_paragraphs(['Bekezdés <strong>félkövér</strong>, <em>dőlt</em> és '
                . '<a href="https://example.org/">külső hivatkozás</a> szöveggel.']),
            "<!-- wp:list -->\n<ul><li>első elem</li><li>második elem</li></ul>\n<!-- /wp:list -->",
            "<!-- wp:quote -->\n<blockquote class=\"wp-block-quote\"><p>Idézet egy bölcs embertől.</p>"
                . "<cite>Ismeretlen</cite></blockquote>\n<!-- /wp:quote -->",
            "<!-- wp:table -->\n<figure class=\"wp-block-table\"><table><tbody><tr><td>év</td>"
                . "<td>db</td></tr><tr><td>2024</td><td>42</td></tr></tbody></table></figure>\n"
                . "<!-- /wp:table -->",
            wpa_image_block($media['img_grafikon'], 'full', 'media', 'Grafikon a 2024-es adatokról'),
            "<!-- wp:separator -->\n<hr class=\"wp-block-separator has-alpha-channel-opacity\"/>\n"
                . "<!-- /wp:separator -->",
            sprintf('<!-- wp:block {"ref":%d} /-->', $block),
        ]),
    ]);
    wpa_attach($media['img_grafikon'], $p['post_blocks']);

    $p['post_images'] = wpa_insert([
        'post_title' => 'Képek: árvíztűrő tükörfúrógép',
        'post_author' => $users['kovacs.anna'],
        'post_date' => '2024-05-02 11:20:00',
        'post_category' => $cats('naplo'),
        'tags_input' => $tags('foto'),
        'post_content' => implode("\n\n", [
            wpa_paragraphs(['Egy kép ékezetes fájlnévvel, és egy másik a látogatásról.']),
            wpa_image_block($media['img_arvizturo'], 'large', 'attachment', 'Árvíztűrő tükörfúrógép'),
            wpa_image_block($media['img_phenjan'], 'medium', 'media'),
        ]),
    ]);
    wpa_attach($media['img_arvizturo'], $p['post_images']);
    set_post_thumbnail($p['post_images'], $media['img_arvizturo']);

    // An older post from the classic editor: no block comments, bare line breaks (wpautop),
    // [caption] shortcode, and an <img> with srcset written into the content.
    $phenjan_medium = wp_get_attachment_image_src($media['img_phenjan'], 'medium')[0];
    $p['post_classic'] = wpa_insert([
        'post_title' => 'Régi bejegyzés a klasszikus szerkesztőből',
        'post_author' => $users['nagy.peter'],
        'post_date' => '2019-11-05 20:45:00',
        'post_category' => $cats('egyeb'),
        'post_content' => "Ez a bejegyzés még a klasszikus szerkesztővel készült.\n"
            . "Sortörés, bekezdés nélkül.\n\n"
            . sprintf('[caption id="attachment_%1$d" align="alignnone" width="300"]<img class="size-medium '
                . 'wp-image-%1$d" src="%2$s" alt="Phenjan" width="300" height="200" srcset="%2$s 300w, '
                . '%3$s 768w, %4$s 1200w" sizes="(max-width: 300px) 100vw, 300px" /> Phenjan, '
                . 'közepes méretben[/caption]',
                $media['img_phenjan'], esc_url($phenjan_medium),
                esc_url(wp_get_attachment_image_src($media['img_phenjan'], 'medium_large')[0]),
                esc_url(wp_get_attachment_url($media['img_phenjan'])))
            . "\n\n<!--more-->\nA folytatás a „tovább” link után.",
    ]);

    // Internal links in every form a site has them.
    $seed_link = get_permalink($p['post_seed']);
    $links = [
        ['Szép permalink', $seed_link],
        ['Relatív permalink', wp_make_link_relative(get_permalink($p['post_ramsay']))],
        ['Permalink horgonnyal', $seed_link . '#comments'],
        ['Rövid link (?p=)', home_url('/?p=' . $p['post_ramsay'])],
        ['Oldal (?page_id=)', home_url('/?page_id=' . $pages['page_kapcsolat'])],
        ['Aloldal', get_permalink($pages['page_kapcsolat'])],
        ['Kategória', get_category_link($terms['cat_eszak_korea'])],
        ['Kategória (?cat=)', home_url('/?cat=' . $terms['cat_azsia'])],
        ['Címke', get_tag_link($terms['tag_putyin'])],
        ['Azonos nevű címke', get_tag_link($terms['tag_eszak_korea'])],
        ['Szerző', get_author_posts_url($users['kovacs.anna'])],
        ['Havi archívum', get_month_link(2024, 6)],
        ['Csatolmány oldala', get_attachment_link($media['img_phenjan'])],
        ['Csatolmány (?attachment_id=)', home_url('/?attachment_id=' . $media['img_arvizturo'])],
        ['Feltöltött fájl', wp_get_attachment_url($media['img_phenjan'])],
        ['Feltöltött fájl, 300×200', $phenjan_medium],
        ['Ékezetes fájlnév', wp_get_attachment_url($media['img_arvizturo'])],
        ['Cirill betűs permalink', get_permalink($p['post_cyrillic'])],
        ['Hírcsatorna', get_feed_link()],
        ['Kezdőlap', home_url()],
    ];
    $items = implode('', array_map(
        fn($l) => sprintf('<li>%s: <a href="%s">%s</a></li>', $l[0], esc_url($l[1]), esc_html($l[0])),
        $links));
    $p['post_links'] = wpa_insert([
        'post_title' => 'Belső hivatkozások próbája',
        'post_author' => $users['sala'],
        'post_date' => '2024-06-20 18:00:00',
        'post_category' => $cats('naplo'),
        'tags_input' => $tags('proba'),
        'post_content' => implode("\n\n", [
            wpa_paragraphs(['Minden hivatkozásforma, amit egy WordPress-oldalon találni.']),
            "<!-- wp:list -->\n<ul>$items</ul>\n<!-- /wp:list -->",
            // srcset/sizes are added when the page is rendered (wp_filter_content_tags).
            wpa_image_block($media['img_phenjan'], 'large', 'attachment', 'Nagy méret, srcset-tel'),
            sprintf('<!-- wp:paragraph -->%s<p>Kép közvetlenül: <img src="%s" alt="" width="300" '
                . 'height="200" class="wp-image-%d"/></p>%s<!-- /wp:paragraph -->', "\n",
                esc_url($phenjan_medium), $media['img_phenjan'], "\n"),
        ]),
    ]);

    $p['post_comments'] = wpa_insert([
        'post_title' => 'Mit gondolnak az olvasók?',
        'post_author' => $users['sala'],
        'post_date' => '2024-06-01 12:00:00',
        'post_category' => $cats('naplo'),
        'tags_input' => $tags('proba'),
        'post_content' => wpa_paragraphs([
            'Kíváncsiak vagyunk a véleményükre. Írják meg lent, a hozzászólásokban!',
        ]),
    ]);

    $p['post_sticky'] = wpa_insert([
        'post_title' => 'Üdvözöljük a SaLa gondolatai blogon!',
        'post_author' => $users['sala'],
        'post_date' => '2024-01-01 00:05:00',
        'post_category' => $cats('naplo'),
        'post_content' => wpa_paragraphs([
            'Ez a kiemelt bejegyzés mindig a lista elején áll.',
            sprintf('Ismerje meg a szerzőket a <a href="%s">Rólunk</a> oldalon.',
                    esc_url(get_permalink($pages['page_rolunk']))),
        ]),
    ]);
    stick_post($p['post_sticky']);

    $p['post_protected'] = wpa_insert([
        'post_title' => 'Csak barátoknak',
        'post_author' => $users['nagy.peter'],
        'post_date' => '2024-03-10 19:00:00',
        'post_category' => $cats('naplo'),
        'post_password' => 'titok',
        'post_content' => wpa_paragraphs(['Ezt csak az olvashatja, aki tudja a jelszót.']),
    ]);

    // Not published: visible only with credentials (REST) or in the WXR.
    $p['post_draft'] = wpa_insert([
        'post_title' => 'Piszkozat: a BRICS-találkozó háttere',
        'post_status' => 'draft',
        'post_author' => $users['kovacs.anna'],
        'post_date' => '2024-06-21 10:00:00',     // a draft's GMT date stays 0000-00-00 (floating)
        'post_category' => $cats('vilagpolitika'),
        'tags_input' => $tags('brics'),
        'post_content' => wpa_paragraphs(['Félkész szöveg a BRICS-csoport moszkvai találkozójáról.']),
    ]);
    $p['post_pending'] = wpa_insert([
        'post_title' => 'Ellenőrzésre vár: Hanoi után',
        'post_status' => 'pending',
        'post_author' => $users['szabo.eva'],
        'post_date' => '2024-06-22 14:00:00',
        'post_category' => $cats('azsia'),
        'post_content' => wpa_paragraphs(['Egy külső szerző írása, szerkesztésre vár.']),
    ]);
    $p['post_private'] = wpa_insert([
        'post_title' => 'Privát jegyzet',
        'post_status' => 'private',
        'post_author' => $users['sala'],
        'post_date' => '2024-02-14 08:00:00',
        'post_category' => $cats('naplo'),
        'post_content' => wpa_paragraphs(['Csak a szerkesztők látják.']),
    ]);
    $p['post_future'] = wpa_insert([
        'post_title' => 'Időzített bejegyzés: évértékelő',
        'post_status' => 'future',
        'post_author' => $users['nagy.peter'],
        'post_date' => '2099-01-01 10:00:00',
        'post_category' => $cats('naplo'),
        'post_content' => wpa_paragraphs(['Megjelenik 2099. január 1-jén.']),
    ]);
    // Trashed the way wp_trash_post does it, minus its "now".
    $p['post_trash'] = wpa_insert([
        'post_title' => 'Törölt bejegyzés',
        'post_name' => 'torolt-bejegyzes__trashed',
        'post_status' => 'trash',
        'post_author' => $users['kovacs.anna'],
        'post_date' => '2023-12-01 09:00:00',
        'post_category' => $cats('egyeb'),
        'post_content' => wpa_paragraphs(['Ez a bejegyzés a lomtárban van.']),
        'meta_input' => ['_wp_trash_meta_status' => 'publish',
                         '_wp_trash_meta_time' => '1701421200',
                         '_wp_desired_post_slug' => 'torolt-bejegyzes'],
    ]);
    return $p;
}

function wpa_create_recipes(array $users, array $terms): array {
    $r = [];
    $recipes = [
        ['recept_gulyasleves', 'Gulyásleves', 'gulyasleves', '2024-02-01 11:00:00', 'konyha_magyar',
         'Marhahús, hagyma, pirospaprika, burgonya. Lassan főzzük.'],
        ['recept_lecso', 'Lecsó', 'lecso', '2024-03-01 11:00:00', 'konyha_magyar',
         'Paprika, paradicsom, hagyma; aki szereti, kolbásszal.'],
        ['recept_ratatouille', 'Ratatouille', 'ratatouille', '2024-04-01 11:00:00', 'konyha_francia',
         'Padlizsán, cukkini, paprika, paradicsom, provence-i fűszerek.'],
    ];
    foreach ($recipes as [$key, $title, $slug, $date, $konyha, $text]) {
        $r[$key] = wpa_insert([
            'post_type' => 'recept', 'post_title' => $title, 'post_name' => $slug,
            'post_author' => $users['kovacs.anna'], 'post_date' => $date,
            'post_content' => wpa_paragraphs([$text]),
        ]);
        wp_set_object_terms($r[$key], [$terms[$konyha]], 'konyha');
    }
    return $r;
}

function wpa_comment(int $post_id, string $date, array $c): int {
    $c += ['comment_author_IP' => '192.0.2.10', 'comment_approved' => 1, 'comment_type' => 'comment',
           'comment_agent' => 'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
           'comment_author_url' => '', 'comment_parent' => 0, 'user_id' => 0];
    $c['comment_post_ID'] = $post_id;
    $c['comment_date'] = $date;
    $c['comment_date_gmt'] = get_gmt_from_date($date);
    return wpa_check(wp_insert_comment($c), "comment by {$c['comment_author']}");
}

function wpa_guest(string $name, string $email): array {
    return ['comment_author' => $name, 'comment_author_email' => $email];
}

function wpa_member(int $user_id): array {
    $u = get_userdata($user_id);
    return ['comment_author' => $u->display_name, 'comment_author_email' => $u->user_email,
            'comment_author_url' => $u->user_url, 'user_id' => $user_id];
}

/** Akismet's verdict as it stores it on checked comments. */
function wpa_akismet_meta(int $comment_id, bool $spam, int $time): void {
    add_comment_meta($comment_id, 'akismet_result', $spam ? 'true' : 'false');
    add_comment_meta($comment_id, 'akismet_history',
        ['time' => $time + 0.5, 'event' => $spam ? 'check-spam' : 'check-ham', 'user' => '']);
}

function wpa_create_comments(array $users, array $posts): array {
    $c = [];
    $c['comment_seed'] = wpa_comment($posts['post_seed'], '2024-06-17 18:22:00',
        wpa_guest('Kovács Béla', 'bela.kovacs@example.org') + [
            'comment_content' => "Köszönöm a fordítást! Kíváncsi vagyok, mi lesz ebből a barátságból.",
            'comment_author_IP' => '192.0.2.21']);
    wpa_akismet_meta($c['comment_seed'], false, 1718641320);

    $post = $posts['post_comments'];
    // A three-level thread: guest → the admin answers → the guest again.
    $c['comment_thread_1'] = wpa_comment($post, '2024-06-01 13:05:00',
        wpa_guest('Tóth Gábor', 'gabor.toth@example.org') + [
            'comment_content' => 'Szerintem a blog egyre jobb. Lesz több recept is?',
            'comment_author_url' => 'https://example.org/toth-gabor']);
    wpa_akismet_meta($c['comment_thread_1'], false, 1717239900);
    $c['comment_thread_2'] = wpa_comment($post, '2024-06-01 14:30:00', wpa_member($users['sala']) + [
        'comment_content' => 'Köszönjük! Igen, a Receptek rovat bővül.',
        'comment_parent' => $c['comment_thread_1'], 'comment_author_IP' => '127.0.0.1']);
    $c['comment_thread_3'] = wpa_comment($post, '2024-06-01 15:10:00',
        wpa_guest('Tóth Gábor', 'gabor.toth@example.org') + [
            'comment_content' => 'Akkor várom a lecsót!',
            'comment_parent' => $c['comment_thread_2']]);
    wpa_akismet_meta($c['comment_thread_3'], false, 1717247400);
    // A registered member, logged in.
    $c['comment_member'] = wpa_comment($post, '2024-06-02 08:45:00', wpa_member($users['szabo.eva']) + [
        'comment_content' => 'Regisztrált olvasóként is csatlakozom: jó kezdeményezés.',
        'comment_author_IP' => '192.0.2.33']);
    // HTML that commenters may use (what kses lets through), plus an entity and a line break.
    $c['comment_html'] = wpa_comment($post, '2024-06-02 21:17:00',
        wpa_guest('Horváth Zsófia', 'zsofia.horvath@example.org') + [
            'comment_content' => "<strong>Fontos:</strong> a <a href=\"https://example.org/forras\">forrás</a> "
                . "szerint <em>nem</em> így volt.\n<blockquote>Idézet a cikkből &amp; egy megjegyzés.</blockquote>"
                . "\nÜdv, <code>Zsófi</code>"]);
    wpa_akismet_meta($c['comment_html'], false, 1717355820);
    $c['comment_pending'] = wpa_comment($post, '2024-06-03 10:00:00',
        wpa_guest('Új Olvasó', 'uj.olvaso@example.org') + [
            'comment_content' => 'Első hozzászólásom, moderálásra vár.', 'comment_approved' => 0]);
    $c['comment_spam'] = wpa_comment($post, '2024-06-03 03:33:00',
        wpa_guest('Olcsó Órák', 'spam@example.com') + [
            'comment_content' => 'Olcsó órák! <a href="https://example.com/orak">Kattints ide</a>',
            'comment_author_url' => 'https://example.com/orak', 'comment_approved' => 'spam',
            'comment_author_IP' => '198.51.100.66']);
    wpa_akismet_meta($c['comment_spam'], true, 1717378380);
    // Trashed the way wp_trash_comment does it, minus its "now".
    $c['comment_trash'] = wpa_comment($post, '2024-06-04 16:00:00',
        wpa_guest('Tóth Gábor', 'gabor.toth@example.org') + [
            'comment_content' => 'Bocsánat, ezt véletlenül küldtem el kétszer.',
            'comment_approved' => 'trash']);
    add_comment_meta($c['comment_trash'], '_wp_trash_meta_status', '1');
    add_comment_meta($c['comment_trash'], '_wp_trash_meta_time', '1717516800');
    // A pingback from one of our own posts, as WordPress records self-pings.
    $c['comment_pingback'] = wpa_comment($post, '2024-06-20 18:00:05', [
        'comment_author' => 'Belső hivatkozások próbája – SaLa gondolatai',
        'comment_author_email' => '',
        'comment_author_url' => get_permalink($posts['post_links']),
        'comment_author_IP' => '127.0.0.1',
        'comment_content' => '[&#8230;] Kíváncsiak vagyunk a véleményükre [&#8230;]',
        'comment_type' => 'pingback',
        'comment_agent' => 'WordPress/' . get_bloginfo('version') . '; ' . home_url(),
    ]);
    return $c;
}

/**
 * wp_insert_post stamps "now" into post_modified, and publishing leaves cron-only meta behind:
 * set the dates back and drop that meta so every install is identical.
 */
function wpa_fix_dates(array $modified): void {
    global $wpdb;
    foreach ($wpdb->get_results("SELECT ID, post_date FROM $wpdb->posts") as $row) {
        $date = $modified[$row->ID] ?? $row->post_date;
        $wpdb->update($wpdb->posts,
            ['post_modified' => $date, 'post_modified_gmt' => get_gmt_from_date($date)],
            ['ID' => $row->ID]);
        clean_post_cache((int) $row->ID);
    }
    $wpdb->update($wpdb->users, ['user_registered' => '2019-10-01 08:00:00'], ['user_login' => 'sala']);
    foreach (['_encloseme', '_pingme', '_edit_lock', '_edit_last'] as $key) {
        delete_post_meta_by_key($key);
    }
}

function wpa_counts(): array {
    global $wpdb;
    $counts = [];
    foreach (['post', 'page', 'recept', 'wp_block', 'attachment'] as $type) {
        $counts[$type] = array_map('intval', array_filter((array) wp_count_posts($type)));
    }
    $counts['comments'] = [];
    foreach ($wpdb->get_results("SELECT comment_approved AS s, comment_type AS t, COUNT(*) AS n
                                 FROM $wpdb->comments GROUP BY s, t ORDER BY s, t") as $row) {
        $status = ['1' => 'approved', '0' => 'hold'][$row->s] ?? $row->s;
        $counts['comments']["$status/$row->t"] = (int) $row->n;
    }
    $counts['users'] = (int) $wpdb->get_var("SELECT COUNT(*) FROM $wpdb->users");
    foreach (['category', 'post_tag', 'konyha'] as $tax) {
        $counts['terms'][$tax] = (int) wp_count_terms(['taxonomy' => $tax, 'hide_empty' => false]);
    }
    return $counts;
}

function wpa_main(): void {
    wp_set_current_user(1);   // an administrator: content is stored unfiltered, as an editor's is
    wpa_configure_site();
    $users = wpa_create_users();
    $terms = wpa_create_terms();
    $media = wpa_create_media($users);
    $block = wpa_create_reusable_block();
    $pages = wpa_create_pages($users);
    $posts = wpa_create_posts($users, $terms, $media, $block, $pages);
    $recipes = wpa_create_recipes($users, $terms);
    $comments = wpa_create_comments($users, $posts);
    // The seed post says "Frissítve … 7:58 EDT": updated at 13:58 Budapest time.
    wpa_fix_dates([$posts['post_seed'] => '2024-06-17 13:58:00']);
    flush_rewrite_rules(false);   // now with the custom type and taxonomy registered

    $ids = $users + $terms + $media + ['wp_block' => $block] + $pages + $posts + $recipes + $comments;
    $links = [];
    foreach ($pages + $posts + $recipes as $key => $id) {
        $links[$key] = get_permalink($id);
    }
    $links['img_phenjan_medium'] = wp_get_attachment_image_src($media['img_phenjan'], 'medium')[0];
    $links['img_arvizturo'] = wp_get_attachment_url($media['img_arvizturo']);
    $fixture = [
        'url' => home_url(),
        'ids' => $ids,
        'links' => $links,
        'counts' => wpa_counts(),
        'passwords' => ['post_protected' => 'titok'],
    ];
    $json = json_encode($fixture, JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
    file_put_contents(getenv('WPARCHIVE_WP_STATE') . '/fixture.json', $json . "\n");
    fwrite(STDERR, 'populate.php: ' . count($ids) . " fixture objects\n");
}

wpa_main();
