/* A static-pie image for test-elf to read; never run by the tests. */
int main(void)
{
        return 0;
}
