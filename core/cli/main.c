/* PLACEHOLDER until the front end lands. */
#include <stdio.h>
#include <cairn/cairn.h>
int main(void) { printf("cairn %s\n", cairn_version()); return 0; }
