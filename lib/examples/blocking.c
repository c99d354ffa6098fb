/*
 * blocking.c: libetcd's blocking ("_sync") calls, the simplest way to use the library.
 *
 * It sets a key, reads it back, asks for a key that does not exist to show how an etcd
 * error (100 "Key not found") is reported, and deletes its key again.
 *
 *   cc blocking.c $(pkg-config --cflags --libs libetcd) -o blocking
 *   ./blocking [ENDPOINTS]      (or ETCD_ENDPOINTS=...; default http://127.0.0.1:2379)
 *
 * Needs an etcd started with --enable-v2.
 */
#include <etcd/etcd.h>

#include <stdio.h>
#include <stdlib.h>

#define KEY "/examples/blocking/greeting"
#define VALUE "hello, etcd"

/* Print why a call failed, in etcdctl's form ("100: Key not found (/x) [12]"). */
static void print_failure(const char *what, int rc, const etcd_response *resp)
{
    char line[512];

    if (resp)
        fprintf(stderr, "%s failed: %s\n", what,
                etcd_response_describe(resp, line, sizeof(line)));
    else /* nothing was sent: bad argument or out of memory */
        fprintf(stderr, "%s failed: %s\n", what, etcd_strerror(rc));
}

int main(int argc, char **argv)
{
    const char *endpoints = argc > 1 ? argv[1] : getenv("ETCD_ENDPOINTS");
    etcd_client_opts opts;
    etcd_client *client;
    etcd_response *resp;
    char line[512];
    int rc, status = EXIT_FAILURE;

    /* The options are copied by etcd_client_new(); unset fields keep their defaults. */
    etcd_client_opts_init(&opts);
    opts.endpoints = endpoints && *endpoints ? endpoints : "http://127.0.0.1:2379";
    opts.request_timeout_ms = 5000;
    rc = etcd_client_new(&opts, &client);
    if (rc != ETCD_OK) {
        fprintf(stderr, "cannot create a client for %s: %s\n", opts.endpoints,
                etcd_strerror(rc));
        return EXIT_FAILURE;
    }

    /* Set: the response is ours to free, whatever the outcome. */
    rc = etcd_keys_set_sync(client, KEY, VALUE, NULL, &resp);
    if (rc != ETCD_OK) {
        print_failure("set " KEY, rc, resp);
        etcd_response_free(resp);
        goto out;
    }
    printf("%s %s = %s (modifiedIndex %llu, etcd index %llu)\n",
           etcd_action_name(resp->action), resp->node->key, resp->node->value,
           (unsigned long long)resp->node->modified_index,
           (unsigned long long)resp->info.etcd_index);
    etcd_response_free(resp);

    /* Get it back. value_len is the true length (a value may hold NUL bytes). */
    rc = etcd_keys_get_sync(client, KEY, NULL, &resp);
    if (rc != ETCD_OK) {
        print_failure("get " KEY, rc, resp);
        etcd_response_free(resp);
        goto out;
    }
    printf("get %s = %.*s\n", resp->node->key, (int)resp->node->value_len,
           resp->node->value);
    etcd_response_free(resp);

    /* A missing key is an etcd error: status ETCD_EETCD with etcd's code, message,
     * cause and index in resp->error. */
    rc = etcd_keys_get_sync(client, "/examples/blocking/missing", NULL, &resp);
    if (rc == ETCD_EETCD && resp->error.code == 100) {
        printf("expected error: %s\n", etcd_response_describe(resp, line, sizeof(line)));
        printf("  code %d, message \"%s\", cause \"%s\", index %llu\n", resp->error.code,
               resp->error.message, resp->error.cause ? resp->error.cause : "",
               (unsigned long long)resp->error.index);
    } else {
        print_failure("get of a missing key (expected error 100)", rc, resp);
        etcd_response_free(resp);
        goto out;
    }
    etcd_response_free(resp);

    /* Clean up; out == NULL when the response is not needed. */
    rc = etcd_keys_delete_sync(client, KEY, NULL, NULL);
    if (rc != ETCD_OK) {
        fprintf(stderr, "delete %s failed: %s\n", KEY, etcd_strerror(rc));
        goto out;
    }
    printf("deleted %s\n", KEY);
    status = EXIT_SUCCESS;
out:
    etcd_client_free(client);
    return status;
}
