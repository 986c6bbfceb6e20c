<?php
/*
 * Plugin Name: wparchive fixture: recipes
 * Description: A custom post type and a custom taxonomy exposed to REST, as plugins and themes
 *              add them on real sites. A must-use plugin, so they exist on every request.
 */

add_action('init', function () {
    register_taxonomy('konyha', ['recept'], [
        'labels' => ['name' => 'Konyhák', 'singular_name' => 'Konyha'],
        'public' => true,
        'hierarchical' => false,
        'show_in_rest' => true,
        'rest_base' => 'konyhak',             // differs from the slug: clients must read /types
        'rewrite' => ['slug' => 'konyha'],
    ]);
    register_post_type('recept', [
        'labels' => ['name' => 'Receptek', 'singular_name' => 'Recept'],
        'public' => true,
        'has_archive' => 'receptek',
        'show_in_rest' => true,
        'rest_base' => 'receptek',
        'menu_icon' => 'dashicons-carrot',
        'supports' => ['title', 'editor', 'author', 'thumbnail', 'excerpt', 'comments',
                       'custom-fields'],
        'taxonomies' => ['konyha'],
        'rewrite' => ['slug' => 'recept'],
    ]);
});
