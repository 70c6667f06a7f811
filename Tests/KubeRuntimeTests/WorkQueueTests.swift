import KubeRuntime
import Testing

@Suite struct WorkQueueTests {
    @Test("a key waits once however often it is added, in the order first added")
    func deduplicates() async {
        let queue = WorkQueue<String>()
        await queue.add("a")
        await queue.add("b")
        await queue.add("a")
        #expect(await queue.depth == 2)
        #expect(await queue.next() == "a")
        #expect(await queue.next() == "b")
        #expect(await queue.depth == 0)
    }

    @Test("a key being processed is not handed out again until done, then exactly once more")
    func oneAtATimePerKey() async {
        let queue = WorkQueue<String>()
        await queue.add("a")
        #expect(await queue.next() == "a")
        await queue.add("a")
        await queue.add("a")
        await queue.add("b")
        #expect(await queue.next() == "b", "a is still processing")
        #expect(await queue.depth == 0)
        await queue.done("a")
        #expect(await queue.depth == 1)
        #expect(await queue.next() == "a")
        await queue.done("a")
        #expect(await queue.depth == 0)
    }

    @Test("a held-back key arrives after its delay; an immediate add overtakes it")
    func delayed() async {
        let queue = WorkQueue<String>()
        await queue.add("late", after: .milliseconds(50))
        await queue.add("soon", after: .seconds(3600))
        #expect(await queue.depth == 0)
        #expect(await queue.next() == "late")
        await queue.add("soon")
        #expect(await queue.next() == "soon")
    }

    @Test("shutting down wakes waiting workers with nil; a cancelled wait returns nil")
    func shutDownAndCancel() async {
        let queue = WorkQueue<String>()
        let waiting = Task { await queue.next() }
        let cancelled = Task { await queue.next() }
        cancelled.cancel()
        #expect(await cancelled.value == nil)
        await queue.shutDown()
        #expect(await waiting.value == nil)
        await queue.add("a")
        #expect(await queue.next() == nil, "nothing is accepted after shutdown")
    }
}
