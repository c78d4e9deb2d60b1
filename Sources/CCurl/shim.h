// Typed wrappers: Swift cannot call C variadic functions such as
// curl_easy_setopt and curl_easy_getinfo, so each argument type gets one.
#ifndef CURATE_CCURL_SHIM_H
#define CURATE_CCURL_SHIM_H
#include <curl/curl.h>

typedef size_t (*curate_write_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);

static inline CURLcode curate_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode curate_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode curate_setopt_str(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode curate_setopt_ptr(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode curate_setopt_write(CURL *h, CURLoption o, curate_write_cb v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode curate_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }

static inline CURLcode curate_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode curate_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode curate_getinfo_str(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode curate_getinfo_ptr(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }

static inline CURLMcode curate_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }
#endif
