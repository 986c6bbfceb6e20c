<?php
/*
 * Plugin Name: wparchive fixture: plugin artifacts
 * Description: Prints the markup that three popular plugins leave on real sites, so the cleaning
 *              rules are tested against what they really see (see shared/notes/wordpress-formats.md):
 *              XYZScripts' Social Media Auto Publish footer credit (wp_footer), Jetpack's sharing
 *              block and AddToAny's share buttons (the_content, so also in REST content.rendered).
 */

// Social Media Auto Publish prints its credit when the option xyz_credit_link is "smap".
add_action('wp_footer', function () {
    if (get_option('xyz_credit_link') !== 'smap') {
        return;
    }
    echo '<div style="clear:both;width:100%;text-align:center; font-size:11px; ">'
        . '<a target="_blank" title="Social Media Auto Publish" '
        . 'href="https://xyzscripts.com/wordpress-plugins/social-media-auto-publish/compare" >'
        . 'Social Media Auto Publish</a> Powered By : <a target="_blank" title="PHP Scripts &amp; Programs" '
        . 'href="http://www.xyzscripts.com" >XYZScripts.com</a></div>';
});

function wparchive_fixture_shared_types(): array {
    return ['post', 'page'];
}

// Jetpack's sharing buttons ("sharedaddy"), icon + text style; Jetpack hooks the_content at 19.
add_filter('the_content', function ($content) {
    $post = get_post();
    if (!$post || !in_array($post->post_type, wparchive_fixture_shared_types(), true)) {
        return $content;
    }
    $link = get_permalink($post);
    $buttons = '';
    foreach (['facebook' => 'Facebook', 'twitter' => 'Twitter', 'email' => 'Email'] as $id => $name) {
        $buttons .= sprintf(
            '<li class="share-%1$s"><a rel="nofollow noopener noreferrer" data-shared="sharing-%1$s-%2$d" '
            . 'class="share-%1$s sd-button share-icon" href="%3$s" target="_blank" '
            . 'title="Click to share on %4$s" ><span>%4$s</span></a></li>',
            $id, $post->ID, esc_url(add_query_arg(['share' => $id, 'nb' => 1], $link)), $name);
    }
    return $content
        . '<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block sd-social '
        . 'sd-social-icon-text sd-sharing"><h3 class="sd-title">Share this:</h3><div class="sd-content">'
        . '<ul>' . $buttons . '<li class="share-end"></li></ul></div></div></div>';
}, 19);

// AddToAny's share buttons, bottom of content; AddToAny hooks the_content at 98.
add_filter('the_content', function ($content) {
    $post = get_post();
    if (!$post || !in_array($post->post_type, wparchive_fixture_shared_types(), true)) {
        return $content;
    }
    $link = get_permalink($post);
    $title = get_the_title($post);
    $buttons = '';
    foreach (['facebook' => 'Facebook', 'twitter' => 'Twitter', 'email' => 'Email'] as $id => $name) {
        $buttons .= sprintf(
            '<a class="a2a_button_%1$s" href="%2$s" title="%3$s" rel="nofollow noopener" target="_blank"></a>',
            $id,
            esc_url('https://www.addtoany.com/add_to/' . $id . '?linkurl=' . rawurlencode($link)
                    . '&linkname=' . rawurlencode(wp_strip_all_tags($title))),
            $name);
    }
    return $content
        . '<div class="addtoany_share_save_container addtoany_content addtoany_content_bottom">'
        . '<div class="a2a_kit a2a_kit_size_32 addtoany_list" data-a2a-url="' . esc_url($link)
        . '" data-a2a-title="' . esc_attr(wp_strip_all_tags($title)) . '">' . $buttons
        . '<a class="a2a_dd addtoany_share_save addtoany_share" href="https://www.addtoany.com/share"></a>'
        . '</div></div>';
}, 98);
