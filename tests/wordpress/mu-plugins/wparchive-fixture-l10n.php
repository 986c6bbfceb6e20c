<?php
/*
 * Plugin Name: wparchive fixture: official Hungarian strings
 * Description: Debian's hu_HU catalog is old and unofficial ("Leave a Reply" → "MINDEN VÉLEMÉNY
 *              SZÁMÍT!") and Akismet has none. The strings the seed page shows come from the
 *              official language packs; this puts those few in, so the rendered comment area reads
 *              as on the real site. Everything else stays as Debian translates it.
 */

add_filter('gettext', function ($translation, $text, $domain) {
    static $official = [
        'default' => [
            'Leave a Reply' => 'Vélemény, hozzászólás?',
            'Your email address will not be published.' => 'Az e-mail-címet nem tesszük közzé.',
            // The comments-title block wraps the title in “…” itself.
            'One response to %s' => '%s bejegyzéshez egy hozzászólás',
        ],
        'akismet' => [
            'This site uses Akismet to reduce spam. <a href="%s" target="_blank" rel="nofollow noopener">'
                . 'Learn how your comment data is processed</a>.' =>
            'Ez az oldal az Akismet szolgáltatást használja a spam csökkentésére. <a href="%s" '
                . 'target="_blank" rel="nofollow noopener">Ismerje meg a hozzászólás adatainak '
                . 'feldolgozását</a>.',
        ],
    ];
    if (determine_locale() !== 'hu_HU') {
        return $translation;
    }
    return $official[$domain][$text] ?? $translation;
}, 10, 3);
