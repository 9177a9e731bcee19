// Command inventory is the sample program behind godap's shipped core dump: a small service with
// a notification listener, a pool of workers, and a request handler that dereferences a nil
// pointer. Run it with GOTRACEBACK=crash to get a core like protocol-fixtures/sample/core.xz.
package main

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Version describes the build, like the walkthrough's api.AppVersion.
type Version struct {
	Version  string
	APILevel int
	GitRefs  []string
}

var AppVersion = Version{Version: "1.5.1-45", APILevel: 13, GitRefs: []string{"heads/master", "tags/1.5.1-45"}}

type channelQueue struct {
	shouldRefresh     *bool
	viewNameToRefresh string
	cond              *sync.Cond
}

type Item struct {
	SKU   string
	Count int
}

type Store struct {
	mu    sync.Mutex
	items map[string]*Item
}

func refreshOnNotification(ctx context.Context, notify <-chan string, queue channelQueue) {
	for {
		select {
		case name := <-notify:
			queue.viewNameToRefresh = name
			queue.cond.Signal()
		case <-ctx.Done():
			return
		}
	}
}

func worker(id int, jobs <-chan string, results chan<- int) {
	for sku := range jobs {
		results <- len(sku) + id
	}
}

//go:noinline
func (s *Store) reserve(sku string, n int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	item := s.items[sku]
	item.Count -= n // item is nil for unknown SKUs
	return item.Count
}

func handle(s *Store, sku string, done chan<- int) {
	done <- s.reserve(sku, 1)
}

func main() {
	ctx := context.Background()
	notify := make(chan string, 32)
	refresh := false
	var mu sync.Mutex
	queue := channelQueue{shouldRefresh: &refresh, viewNameToRefresh: "mv.refresh_stock()", cond: sync.NewCond(&mu)}
	go refreshOnNotification(ctx, notify, queue)

	jobs := make(chan string)
	results := make(chan int)
	for i := 0; i < 4; i++ {
		go worker(i, jobs, results)
	}

	store := &Store{items: map[string]*Item{"A-100": {SKU: "A-100", Count: 7}}}
	done := make(chan int)
	time.Sleep(50 * time.Millisecond)
	fmt.Println("serving", AppVersion.Version)
	go handle(store, "B-200", done)
	fmt.Println(<-done)
}
